import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
} from 'n8n-workflow';

import { guardedAuthenticate } from './boundary';
import { prefixOf } from './fields';
import { assertHeader } from './headers';
import { withTls } from './tls';
import { fingerprint, obtainToken, type TokenState } from './tokens';

// What every token credential does with its token: authenticate() puts the stored token on a
// call, preAuthentication() gets a new one. Each credential file supplies only its own fetch.

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

export type FetchToken = (
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	tokenFor: string,
) => Promise<TokenState>;

/** preAuthentication() of a token credential: one token request at a time per settings. */
export function preAuthenticateWith(fields: readonly string[], fetchToken: FetchToken) {
	return async function (this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		const tokenFor = tokenFingerprint(credentials, fields);
		return await obtainToken(tokenFor, credentials, async () => await fetchToken(this, credentials, tokenFor));
	};
}
