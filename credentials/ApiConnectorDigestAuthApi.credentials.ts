import {
	UserError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INodeProperties,
	type Icon,
} from 'n8n-workflow';

import { boundaryOf, carriesSecrets, guardedAuthenticate, originOf, outsideReason, requestUrl } from './common/boundary';
import { digestAuthorization, nextNonceCount, pickChallenge, requestTarget, type DigestChallenge } from './common/digest';
import { baseUrlField, testUrlField, tlsFields, userPasswordFields } from './common/fields';
import { displayUrl, networkProblem, sentence } from './common/messages';
import { withTls } from './common/tls';
import {
	executionOf,
	preAuthenticateWith,
	tokenFingerprint,
	tokenInputs,
	tokenState,
	tokenStateFields,
	type TokenState,
} from './common/tokens';
import { deadline, discard, sendFollowing, type Answer } from './common/transport';
import { resolveUrl } from './common/urls';

// HTTP Digest (RFC 7616). The server's challenge (realm, nonce, algorithm) is fetched from the
// credential's own Test URL, without credentials, and kept like a token (tokens.ts): once per
// execution, stored encrypted, fetched anew after a 401 (a stale nonce). Every request then
// carries an answer computed for its own method and path; the password itself never travels.
// The challenge comes only from the credential's origin, and answers go only there (boundary.ts).

const CHALLENGE_TIMEOUT_MS = 30_000;

/** Fetches the Test URL's Digest challenge; it is the "token" the credential keeps. */
async function fetchChallenge(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	tokenFor: string,
): Promise<TokenState> {
	const url = resolveUrl(credentials.baseUrl as string, credentials.testUrl as string, 'Test URL');
	const boundary = boundaryOf(credentials, url);
	if (!carriesSecrets(boundary, url)) {
		throw new UserError(
			`HTTP Digest: the Test URL gives the challenge, and ${outsideReason(boundary, url)}. Set a Test URL on ${boundary.origin}.`,
		);
	}
	const where = `The Digest challenge request (GET ${displayUrl(url)})`;
	const { signal, expired } = deadline(CHALLENGE_TIMEOUT_MS, executionOf(credentials)?.signal);
	let answer: Answer;
	try {
		answer = await sendFollowing(
			{ url, method: 'GET', headers: { Accept: '*/*' } },
			async (options) => {
				// No Authorization: only the client certificate (mTLS) may be needed to reach the server.
				const response = (await helper.helpers.httpRequest(
					withTls(credentials, {
						...options,
						json: false,
						encoding: 'stream',
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						disableFollowRedirect: true,
						timeout: CHALLENGE_TIMEOUT_MS,
						abortSignal: signal,
					}),
				)) as Omit<Answer, 'url'>;
				return { ...response, url: options.url };
			},
			{ boundary, follow: true, crossOrigin: 'error', what: where },
		);
	} catch (error) {
		if (error instanceof UserError && !expired()) throw error;
		const problem = expired()
			? `it did not answer within ${CHALLENGE_TIMEOUT_MS / 1000} s`
			: networkProblem(error, { clientCertificate: credentials.useTls === true });
		throw new UserError(sentence(`${where} failed: ${problem ?? 'the connection failed'}`));
	}
	discard(answer.body);
	if (answer.statusCode !== 401) {
		throw new UserError(
			`${where} answered HTTP ${answer.statusCode}, not 401 with a Digest challenge. The Test URL must be a page the server protects with Digest authentication.`,
		);
	}
	let challenge: DigestChallenge;
	try {
		challenge = pickChallenge(answer.headers?.['www-authenticate']);
	} catch (error) {
		throw new UserError(`${where}: ${(error as Error).message}`);
	}
	// Kept with the origin it came from: it is answered only there, even after the Base URL changes.
	return tokenState(JSON.stringify({ ...challenge, origin: boundary.origin } satisfies StoredChallenge), undefined, tokenFor);
}

interface StoredChallenge extends DigestChallenge {
	/** The origin that gave the challenge. */
	origin: string;
}

/** The stored challenge, when it was fetched for the current settings from the origin of `url`. */
function storedChallenge(credentials: ICredentialDataDecryptedObject, fields: readonly string[], url: string): DigestChallenge | undefined {
	const token = credentials.accessToken as string;
	if (!token || credentials.tokenFor !== tokenFingerprint(credentials, fields)) return undefined;
	let stored: StoredChallenge;
	try {
		stored = JSON.parse(token) as StoredChallenge;
	} catch {
		return undefined;
	}
	return stored.origin === originOf(url) ? stored : undefined;
}

/** The query parameters moved into the URL, so that the answer covers the exact request target. */
function withQueryInUrl(options: IHttpRequestOptions & { uri?: string }): { options: IHttpRequestOptions; url: string } {
	let url = requestUrl(options);
	const qs = options.qs as IDataObject | undefined;
	const next: IHttpRequestOptions & { uri?: string } = { ...options };
	if (qs && Object.keys(qs).length) {
		const parsed = new URL(url);
		for (const [name, value] of Object.entries(qs)) {
			if (value === undefined || value === null) continue;
			for (const item of Array.isArray(value) ? value : [value]) {
				parsed.searchParams.append(name, typeof item === 'object' ? JSON.stringify(item) : String(item));
			}
		}
		url = parsed.toString();
		delete next.qs;
	}
	delete next.baseURL;
	// n8n's HTTP Request node sends with the legacy helper, which reads `uri`.
	if (next.uri !== undefined) next.uri = url;
	else next.url = url;
	return { options: next, url };
}

function digestAuthenticate(fields: readonly string[]) {
	return guardedAuthenticate(async (credentials: ICredentialDataDecryptedObject, incoming: IHttpRequestOptions) => {
		const challenge = storedChallenge(credentials, fields, requestUrl(incoming));
		// Without a challenge for these settings the request goes without an answer; the server's
		// 401 then has n8n (or Configured API Call) fetch one and send the request once more.
		if (!challenge) return withTls(credentials, incoming);
		const { options, url } = withQueryInUrl(incoming);
		const authorization = digestAuthorization(challenge, {
			username: (credentials.username as string) ?? '',
			password: (credentials.password as string) ?? '',
			method: String(options.method ?? 'GET'),
			uri: requestTarget(url),
			nc: nextNonceCount(challenge.nonce),
		});
		return withTls(credentials, { ...options, headers: { ...options.headers, Authorization: authorization } });
	});
}

export class ApiConnectorDigestAuthApi implements ICredentialType {
	name = 'apiConnectorDigestAuthApi';

	displayName = 'API Connector: HTTP Digest Auth API';

	icon: Icon = { light: 'file:icons/digestAuth.svg', dark: 'file:icons/digestAuth.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#http-digest';

	properties: INodeProperties[] = [
		...userPasswordFields,
		baseUrlField,
		{
			...testUrlField,
			description:
				'A page the server protects with Digest authentication: its challenge (realm, nonce, algorithm) is fetched from here, and the Test button calls it. A path is resolved against the Base URL.',
		},
		...tlsFields(true),
		...tokenStateFields,
	];

	authenticate = digestAuthenticate(tokenInputs(this.properties));

	preAuthentication = preAuthenticateWith(tokenInputs(this.properties), fetchChallenge);
}
