import { UserError, type ICredentialDataDecryptedObject, type IHttpRequestHelper, type IHttpRequestOptions } from 'n8n-workflow';

import { boundaryOf } from './boundary';
import { displayUrl, networkProblem, sentence } from './messages';
import { deadline, sendFollowing, type Answer } from './transport';

// A check of a credential against its API (the Test button, OpenAI's key check): one GET with
// the credential, through the boundary, its redirects followed hop by hop and a redirect to
// another origin an error, under one deadline, any failure below HTTP said in words.

export const CHECK_TIMEOUT_MS = 30_000;
/** The most of a check's answer that is read (to tell a refused certificate or an OpenAI error). */
export const MAX_CHECK_ANSWER = 4 * 1024 * 1024;

export type Authenticate = (credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

/** One request through the boundary, as calls send it, under the test's deadline. */
export async function sendCheck(
	http: IHttpRequestHelper,
	authenticate: Authenticate,
	credentials: ICredentialDataDecryptedObject,
	url: string,
): Promise<Answer> {
	const { signal, expired } = deadline(CHECK_TIMEOUT_MS);
	const hop = async (options: IHttpRequestOptions, secrets: boolean): Promise<Answer> => {
		const request: IHttpRequestOptions = {
			...options,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: CHECK_TIMEOUT_MS,
			abortSignal: signal,
		};
		const response = (await http.helpers.httpRequest(secrets ? await authenticate(credentials, request) : request)) as Omit<Answer, 'url'>;
		return { ...response, url: options.url };
	};
	let failure: unknown;
	try {
		return await sendFollowing({ url, method: 'GET', headers: { Accept: 'application/json, */*' } }, hop, {
			boundary: boundaryOf(credentials, url),
			follow: true,
			crossOrigin: 'error',
			what: `The test request to ${displayUrl(url)}`,
		});
	} catch (error) {
		failure = error;
	}
	if (failure instanceof UserError && !expired()) throw failure;
	const problem = expired()
		? `it did not answer within ${CHECK_TIMEOUT_MS / 1000} s`
		: networkProblem(failure, { clientCertificate: credentials.useTls === true });
	throw new UserError(sentence(`GET ${displayUrl(url)} failed: ${problem ?? (failure as Error)?.message ?? 'the connection failed'}`));
}
