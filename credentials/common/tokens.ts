import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, INodeProperties } from 'n8n-workflow';

// The life of an access token, shared by every token credential of the package.
//
// A token is stored, encrypted, in the credential itself: n8n persists what preAuthentication
// returns. The node that makes calls checks `tokenRefreshAt` and lets a single call refresh the
// token before it expires; after a refused call n8n runs preAuthentication once more. Within
// one n8n process, concurrent refreshes of the same credential share one token request.

/** Hidden fields that hold the token. `accessToken` is the one n8n watches (expirable). */
export const tokenStateFields: INodeProperties[] = [
	{ displayName: 'Access Token', name: 'accessToken', type: 'hidden', typeOptions: { expirable: true, password: true }, default: '' },
	{ displayName: 'Refresh Token', name: 'refreshToken', type: 'hidden', typeOptions: { password: true }, default: '' },
	{ displayName: 'Token Expires At', name: 'tokenExpiresAt', type: 'hidden', default: 0 },
	{ displayName: 'Token Refresh At', name: 'tokenRefreshAt', type: 'hidden', default: 0 },
	{ displayName: 'Token For', name: 'tokenFor', type: 'hidden', default: '' },
];

export interface TokenState extends IDataObject {
	accessToken: string;
	refreshToken: string;
	tokenExpiresAt: number;
	tokenRefreshAt: number;
	tokenFor: string;
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
