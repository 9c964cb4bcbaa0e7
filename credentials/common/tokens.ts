import { createHash } from 'crypto';
import {
	sleep,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INodeProperties,
} from 'n8n-workflow';

import { guardedAuthenticate } from './boundary';
import { baseUrlField, prefixOf, refreshOnStatusField, testUrlField, tlsFields, tokenTimeoutField } from './fields';
import { assertHeader } from './headers';
import { withTls } from './tls';
import { waitUnlessAborted } from './transport';

// The life of an access token, for every token credential of the package: which settings it
// belongs to, when it is due, how it is fetched once (per credential, per process, per
// execution), stored and put on a call. Each credential file supplies only its own fetch, and
// credentials/common/tokenEndpoint.ts the request itself.
//
// A token is stored, encrypted, in the credential itself: n8n persists what preAuthentication
// returns, and runs it when the `accessToken` field is empty. A node's TokenKeeper blanks that
// field when the token is due or was refused, so that exactly one call fetches the next one
// while the others wait.

/** Hidden fields that hold the token. `accessToken` is the one n8n watches (expirable). */
export const tokenStateFields: INodeProperties[] = [
	{ displayName: 'Access Token', name: 'accessToken', type: 'hidden', typeOptions: { expirable: true, password: true }, default: '' },
	{ displayName: 'Refresh Token', name: 'refreshToken', type: 'hidden', typeOptions: { password: true }, default: '' },
	{ displayName: 'Token Expires At', name: 'tokenExpiresAt', type: 'hidden', default: 0 },
	{ displayName: 'Token Refresh At', name: 'tokenRefreshAt', type: 'hidden', default: 0 },
	{ displayName: 'Token For', name: 'tokenFor', type: 'hidden', default: '' },
];

/** What every token type's form ends with: the token request's bounds, where the API is, TLS, the stored token. */
export const tokenTypeFields = (): INodeProperties[] => [
	tokenTimeoutField,
	refreshOnStatusField,
	baseUrlField,
	testUrlField,
	...tlsFields(true),
	...tokenStateFields,
];

export interface TokenState extends IDataObject {
	accessToken: string;
	refreshToken: string;
	tokenExpiresAt: number;
	tokenRefreshAt: number;
	tokenFor: string;
}

/**
 * Fields of a token credential that do not change which token it gets: the token's own state,
 * where the token is put on a call, what the node does around calls, and n8n's domain fields.
 * Every other field is a token input, so a field added later is one by default.
 */
const NOT_TOKEN_INPUTS = new Set([
	...tokenStateFields.map((field) => field.name),
	'baseUrl',
	'testUrl',
	'refreshOnStatus',
	'tokenTimeout',
	'placement',
	'headerName',
	'prefixFormat',
	'customPrefix',
	'queryParameter',
	'allowedHttpRequestDomains',
	'allowedDomains',
]);

/** The fields a token depends on, from the credential's own form. */
export function tokenInputs(properties: readonly INodeProperties[]): string[] {
	return properties.filter((field) => field.type !== 'notice' && !NOT_TOKEN_INPUTS.has(field.name)).map((field) => field.name);
}

/**
 * A hash of the fields a token depends on. A token obtained for other settings (the user
 * changed the username, the key, the token URL...) is never sent.
 */
export function fingerprint(credentials: ICredentialDataDecryptedObject, fields: readonly string[]): string {
	const hash = createHash('sha256');
	for (const field of fields) hash.update(`${field}\u0000${JSON.stringify(credentials[field] ?? null)}\u0000`);
	return hash.digest('base64url').slice(0, 32);
}

/** Refresh a minute before expiry, or at 80% of a short lifetime. */
export function tokenState(
	accessToken: string,
	lifetimeSeconds: number | undefined,
	tokenFor: string,
	refreshToken = '',
	now = Date.now(),
): TokenState {
	const lifetime = lifetimeSeconds && lifetimeSeconds > 0 ? lifetimeSeconds * 1000 : 0;
	return {
		accessToken,
		refreshToken,
		tokenFor,
		tokenExpiresAt: lifetime ? now + lifetime : 0,
		tokenRefreshAt: lifetime ? now + lifetime - Math.min(60_000, lifetime * 0.2) : 0,
	};
}

/** Whether the stored token may be sent for these settings right now. */
export function tokenUsable(credentials: ICredentialDataDecryptedObject, tokenFor: string, now = Date.now()): boolean {
	if (!credentials.accessToken || credentials.tokenFor !== tokenFor) return false;
	const expiresAt = Number(credentials.tokenExpiresAt) || 0;
	return expiresAt === 0 || now < expiresAt;
}

/** Whether the stored token should be replaced before the next call. */
export function tokenDue(credentials: ICredentialDataDecryptedObject, tokenFor: string, now = Date.now()): boolean {
	if (!credentials.accessToken || credentials.tokenFor !== tokenFor) return true;
	const refreshAt = Number(credentials.tokenRefreshAt) || 0;
	return refreshAt !== 0 && now >= refreshAt;
}

/**
 * What a node tells the token code about the execution it runs in: the credential's ID (so that
 * tokens remembered in memory belong to one credential) and the execution's Stop signal (so that
 * a token request ends when the execution does). n8n hands preAuthentication the very object
 * the node passed as `credentialsDecrypted.data`, so it is the key.
 */
export interface ExecutionBinding {
	credentialId: string;
	signal?: AbortSignal;
	/** The token the node blanked to have it replaced (refused or expiring). */
	replacing?: string;
	/**
	 * Reads the credential as stored now: another n8n process (a queue-mode worker) may have just
	 * refreshed the token and stored it.
	 */
	reload?: () => Promise<ICredentialDataDecryptedObject>;
}

const bindings = new WeakMap<object, ExecutionBinding>();

export function bindExecution(credentials: ICredentialDataDecryptedObject, binding: ExecutionBinding): void {
	bindings.set(credentials, binding);
}

export function executionOf(credentials: ICredentialDataDecryptedObject): ExecutionBinding | undefined {
	return bindings.get(credentials);
}

const inFlight = new Map<string, Promise<TokenState>>();
const latest = new Map<string, TokenState>();
const REMEMBERED = 256;

function remember(key: string, state: TokenState) {
	latest.delete(key);
	latest.set(key, state);
	if (latest.size > REMEMBERED) latest.delete(latest.keys().next().value as string);
}

/**
 * Returns a fresh token for these settings, fetching at most one at a time per credential and
 * settings. A caller that still holds an older token than the one this process fetched last for
 * the same credential gets that one without a request: another execution has just refreshed it.
 * A caller whose token is the latest one had it refused or expiring, so a new one is fetched.
 * Without a known credential (n8n's own nodes) nothing is shared: the token is fetched.
 */
export async function obtainToken(
	tokenFor: string,
	credentials: ICredentialDataDecryptedObject,
	fetchToken: () => Promise<TokenState>,
): Promise<TokenState> {
	const binding = executionOf(credentials);
	if (!binding?.credentialId) return await fetchToken();
	const key = `${binding.credentialId}\u0000${tokenFor}`;
	const known = latest.get(key);
	const held = (credentials.accessToken as string) || binding.replacing;
	if (known && known.accessToken !== held && !tokenDue(known as ICredentialDataDecryptedObject, tokenFor)) {
		return known;
	}
	let pending = inFlight.get(key);
	if (!pending) {
		pending = fetchToken().then(
			(state) => {
				remember(key, state);
				inFlight.delete(key);
				return state;
			},
			(error: unknown) => {
				inFlight.delete(key);
				throw error;
			},
		);
		inFlight.set(key, pending);
	}
	return await pending;
}

/** How long to look for a token another process is storing, and how often. */
const STORED_ELSEWHERE_WAIT_MS = 2_000;
const STORED_ELSEWHERE_POLL_MS = 100;

/**
 * After the server refused `refreshToken`: when another n8n process (a queue-mode worker that
 * refreshed at the same moment) used it first, a server that rotates refresh tokens refuses it
 * here, and that process is about to store the token it got. Looks for it in the credential
 * store for a moment and returns it, instead of fetching one more. Undefined when nothing new
 * is stored in time, or outside a node that can read the store (n8n's own HTTP Request node).
 */
export async function tokenStoredElsewhere(
	credentials: ICredentialDataDecryptedObject,
	tokenFor: string,
	refreshToken: string,
): Promise<TokenState | undefined> {
	const binding = executionOf(credentials);
	if (!binding?.reload) return undefined;
	for (let waited = 0; ; waited += STORED_ELSEWHERE_POLL_MS) {
		let stored: ICredentialDataDecryptedObject | undefined;
		try {
			stored = await binding.reload();
		} catch {
			return undefined;
		}
		if (stored.accessToken && stored.refreshToken !== refreshToken && !tokenDue(stored, tokenFor)) {
			return {
				accessToken: stored.accessToken as string,
				refreshToken: (stored.refreshToken as string) ?? '',
				tokenFor,
				tokenExpiresAt: Number(stored.tokenExpiresAt) || 0,
				tokenRefreshAt: Number(stored.tokenRefreshAt) || 0,
			};
		}
		if (waited >= STORED_ELSEWHERE_WAIT_MS) return undefined;
		await waitUnlessAborted(STORED_ELSEWHERE_POLL_MS, binding.signal, sleep);
	}
}

// ---- what a token credential does with its token ----

const fingerprints = new WeakMap<object, string>();

/** The fingerprint of a credentials object, computed once per object. */
export function tokenFingerprint(credentials: ICredentialDataDecryptedObject, fields: readonly string[]): string {
	let value = fingerprints.get(credentials);
	if (value === undefined) {
		value = fingerprint(credentials, fields);
		fingerprints.set(credentials, value);
	}
	return value;
}

/** Puts a token where the credential says: a header with a prefix, or a query parameter. */
export function placeToken(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions, token: string) {
	if (credentials.placement === 'query') {
		requestOptions.qs = { ...requestOptions.qs, [(credentials.queryParameter as string) || 'access_token']: token };
		return;
	}
	const name = ((credentials.headerName as string) || 'Authorization').trim();
	const value = `${prefixOf(credentials)}${token}`;
	assertHeader(name, value, 'Token header');
	requestOptions.headers = { ...requestOptions.headers, [name]: value };
}

/**
 * authenticate() of a token credential. A token fetched for other settings is not sent: the
 * call then fails with 401 and n8n fetches a token for the current settings.
 */
export function authenticateWithToken(fields: readonly string[]) {
	return guardedAuthenticate(async (credentials: ICredentialDataDecryptedObject, incoming: IHttpRequestOptions) => {
		const requestOptions: IHttpRequestOptions = { ...incoming };
		const token = credentials.accessToken as string;
		if (token && credentials.tokenFor === tokenFingerprint(credentials, fields)) {
			placeToken(credentials, requestOptions, token);
		}
		return withTls(credentials, requestOptions);
	});
}

export type FetchToken = (helper: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject, tokenFor: string) => Promise<TokenState>;

/** preAuthentication() of a token credential: one token request at a time per settings. */
export function preAuthenticateWith(fields: readonly string[], fetchToken: FetchToken) {
	return async function (this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const tokenFor = tokenFingerprint(credentials, fields);
		return await obtainToken(tokenFor, credentials, async () => await fetchToken(this, credentials, tokenFor));
	};
}

// ---- one execution's token ----

/**
 * One execution's view of a token credential's token, for a node: whether it is due, and a
 * single call that fetches the next one while the others wait. A token the API refuses right
 * after it was fetched in this execution is known as fresh, so the node does not fetch again.
 */
export class TokenKeeper {
	private refreshing: Promise<void> | undefined;

	private failure: unknown;

	private readonly fresh = new Set<string>();

	private readonly data: ICredentialDataDecryptedObject;

	private readonly inputs: readonly string[];

	private readonly binding: ExecutionBinding;

	constructor(data: ICredentialDataDecryptedObject, inputs: readonly string[], binding: ExecutionBinding) {
		this.data = data;
		this.inputs = inputs;
		this.binding = binding;
	}

	/** Whether the stored token must be replaced before the next call. */
	due(): boolean {
		return tokenDue(this.data, tokenFingerprint(this.data, this.inputs));
	}

	isFresh(token: string | undefined): boolean {
		return token !== undefined && this.fresh.has(token);
	}

	/**
	 * Runs `send` (a call through n8n's httpRequestWithAuthentication with this data) with the
	 * current token. When the token is due, this call blanks it, so that n8n runs
	 * preAuthentication and stores the new token; the calls that come meanwhile wait for it.
	 * A token endpoint that fails fails every later call of the execution at once.
	 */
	async withToken<T>(send: () => Promise<T>): Promise<{ result: T; token: string }> {
		while (this.refreshing) await this.refreshing;
		if (this.failure) throw this.failure;
		const data = this.data;
		if (!this.due()) {
			const token = data.accessToken as string;
			return { result: await send(), token };
		}
		if (data.accessToken) this.binding.replacing = data.accessToken as string;
		data.accessToken = '';
		let release!: () => void;
		this.refreshing = new Promise((resolve) => (release = resolve));
		let failure: unknown;
		try {
			const result = await send();
			const token = data.accessToken as string;
			if (token) this.fresh.add(token);
			return { result, token };
		} catch (error) {
			if (!data.accessToken) this.failure = error;
			failure = error;
		} finally {
			this.refreshing = undefined;
			release();
		}
		throw failure;
	}

	/** Has the token `used` replaced by the next call, unless another call already did. */
	replace(used: string | undefined): void {
		if (used === undefined || this.data.accessToken !== used) return;
		this.binding.replacing = used;
		this.data.accessToken = '';
	}
}
