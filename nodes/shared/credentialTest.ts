import {
	UserError,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type ICredentialType,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INodeCredentialTestResult,
} from 'n8n-workflow';

import { ApiConnectorBasicAuthApi } from '../../credentials/ApiConnectorBasicAuthApi.credentials';
import { ApiConnectorClientCertificateApi } from '../../credentials/ApiConnectorClientCertificateApi.credentials';
import { ApiConnectorCustomAuthApi } from '../../credentials/ApiConnectorCustomAuthApi.credentials';
import { ApiConnectorCustomTokenOAuth2Api } from '../../credentials/ApiConnectorCustomTokenOAuth2Api.credentials';
import { ApiConnectorHeaderKeyApi } from '../../credentials/ApiConnectorHeaderKeyApi.credentials';
import { ApiConnectorJwtBearerApi } from '../../credentials/ApiConnectorJwtBearerApi.credentials';
import { ApiConnectorOpenAiApi } from '../../credentials/ApiConnectorOpenAiApi.credentials';
import { ApiConnectorPasswordGrantOAuth2Api } from '../../credentials/ApiConnectorPasswordGrantOAuth2Api.credentials';
import { ApiConnectorQueryKeyApi } from '../../credentials/ApiConnectorQueryKeyApi.credentials';
import { hasDevelopmentKey, withEnvironment, type Environment } from '../../credentials/common/apiKeys';
import { boundaryOf, requestUrl } from '../../credentials/common/boundary';
import { kindOf } from '../../credentials/common/catalog';
import { displayUrl, networkProblem, sentence } from '../../credentials/common/messages';
import { credentialProblem, OPENAI_BASE_URL, openAiErrorOf, openAiSecrets, openAiUrl, scrub } from '../../credentials/common/openAi';
import { CancelledError, deadline, readBody, sendFollowing, type Answer } from '../../credentials/common/transport';
import { resolveUrl } from '../../credentials/common/urls';

// The Test button of every credential type of the package (the nodes' `testedBy`). It checks
// the credential the way calls use it, through the same boundary: a token is obtained first
// where the type has one, the Test URL is called with the credential on its own origin only,
// redirects are followed hop by hop, and a redirect to another origin fails the test without
// sending anything there. Each failure says what to fix: which key, the token endpoint, the
// client certificate, the server's CA.

const TEST_TIMEOUT_MS = 30_000;
const MAX_TEST_ANSWER = 4 * 1024 * 1024;

const TYPES: Record<string, ICredentialType> = Object.fromEntries(
	[
		new ApiConnectorBasicAuthApi(),
		new ApiConnectorClientCertificateApi(),
		new ApiConnectorCustomAuthApi(),
		new ApiConnectorCustomTokenOAuth2Api(),
		new ApiConnectorHeaderKeyApi(),
		new ApiConnectorJwtBearerApi(),
		new ApiConnectorOpenAiApi(),
		new ApiConnectorPasswordGrantOAuth2Api(),
		new ApiConnectorQueryKeyApi(),
	].map((type) => [type.name, type]),
);

type LegacyRequest = ICredentialTestFunctions['helpers']['request'];

/**
 * n8n's credential tests get only the legacy `request` helper; this gives the package's code
 * the `httpRequest` it uses everywhere else: no redirects followed, a stream body, the whole
 * response, and an abort signal that ends the wait.
 */
export function legacyHttp(request: LegacyRequest): IHttpRequestHelper {
	const httpRequest = async (options: IHttpRequestOptions): Promise<unknown> => {
		const sent = request({
			uri: requestUrl(options),
			method: options.method ?? 'GET',
			headers: options.headers,
			qs: options.qs,
			body: options.body,
			json: false,
			useStream: options.encoding === 'stream',
			resolveWithFullResponse: true,
			simple: false,
			followRedirect: false,
			followAllRedirects: false,
			timeout: options.timeout,
			agentOptions: options.agentOptions,
			rejectUnauthorized: options.skipSslCertificateValidation !== true,
		}) as Promise<{ body: unknown; headers: Record<string, string>; statusCode: number; statusMessage?: string }>;
		const signal = options.abortSignal as AbortSignal | undefined;
		const response = signal ? await raceAbort(sent, signal) : await sent;
		return options.returnFullResponse ? response : response.body;
	};
	return { helpers: { httpRequest } } as IHttpRequestHelper;
}

/** The legacy helper takes no signal: stop waiting when it fires, and drop a late answer's body. */
async function raceAbort<T extends { body: unknown }>(sent: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) throw new CancelledError();
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => {
			sent.then((late) => (late.body as { destroy?: () => void })?.destroy?.(), () => undefined);
			reject(Object.assign(new Error('aborted'), { code: 'ECONNABORTED' }));
		};
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([sent, aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort as () => void);
	}
}

/** Configured API Call's and OpenAI Models' `testedBy`. */
export async function testCredential(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		// The only request helper n8n gives a credential test (CredentialTestContext).
		const { request } = this.helpers;
		const message = await checkCredential(legacyHttp(request), credential.type, credential.data ?? {});
		return { status: 'OK', message };
	} catch (error) {
		return { status: 'Error', message: error instanceof UserError ? error.message : `The test failed: ${(error as Error)?.message ?? 'unknown error'}` };
	}
}

/** Checks a credential; resolves with what was verified, or throws a message that says what to fix. */
export async function checkCredential(http: IHttpRequestHelper, typeName: string, data: ICredentialDataDecryptedObject): Promise<string> {
	const type = TYPES[typeName];
	if (!type) throw new UserError(`This package cannot test credentials of type "${typeName}".`);
	if (typeName === new ApiConnectorOpenAiApi().name) return await checkOpenAi(http, type, data);
	if (kindOf(typeName) !== 'key') {
		await checkTestUrl(http, type, data);
		return 'The API accepted the credential.';
	}
	const environments: Environment[] = hasDevelopmentKey(data) ? ['live', 'development'] : ['live'];
	const verdicts: string[] = [];
	let failed = false;
	for (const environment of environments) {
		try {
			await checkTestUrl(http, type, withEnvironment(data, environment));
			verdicts.push(`${environment} key accepted`);
		} catch (error) {
			failed = true;
			verdicts.push(`${environment} key: ${(error as Error).message.replace(/\.$/, '')}`);
		}
	}
	const summary = `${verdicts.join('; ')}.`;
	if (failed) throw new UserError(summary.charAt(0).toUpperCase() + summary.slice(1));
	return summary.charAt(0).toUpperCase() + summary.slice(1);
}

/** GET the Test URL with the credential; throws a message unless it answers 2xx. */
async function checkTestUrl(http: IHttpRequestHelper, type: ICredentialType, data: ICredentialDataDecryptedObject): Promise<void> {
	const url = resolveUrl(data.baseUrl as string, data.testUrl as string, 'Test URL');
	const credentials = { ...data, ...(type.preAuthentication ? await type.preAuthentication.call(http, { ...data }) : {}) } as ICredentialDataDecryptedObject;
	const answer = await send(http, type, credentials, url);
	const status = answer.statusCode;
	if (status >= 200 && status < 300) return;
	const where = `GET ${displayUrl(answer.url)}`;
	if (status === 401 || status === 403) {
		throw new UserError(`${where} refused the credential (HTTP ${status})${status === 403 ? ': it is wrong, or lacks permission for the Test URL' : ''}. Check the credential's values.`);
	}
	if (status === 400 || status === 495 || status === 496) {
		const text = (await readBody(answer.body, MAX_TEST_ANSWER, where, '')).toString('utf8');
		if (/ssl certificate|client certificate/i.test(text)) {
			throw new UserError(
				credentials.useTls === true
					? `${where}: the server refused the client certificate (HTTP ${status}). Check that it is the one the API provider issued, and not revoked or expired.`
					: `${where}: the server requires a client certificate (HTTP ${status}). Turn on "Client Certificate or Private CA" and set one.`,
			);
		}
	}
	if (status === 404) throw new UserError(`${where} answered HTTP 404: check the Test URL and the Base URL.`);
	throw new UserError(`${where} answered HTTP ${status}: the Test URL must be a GET endpoint that answers 2xx when the credential is valid.`);
}

/** One request through the boundary, as calls send it, under the test's deadline. */
async function send(http: IHttpRequestHelper, type: ICredentialType, credentials: ICredentialDataDecryptedObject, url: string): Promise<Answer> {
	const authenticate = type.authenticate as (c: ICredentialDataDecryptedObject, o: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
	const { signal, expired } = deadline(TEST_TIMEOUT_MS);
	const hop = async (options: IHttpRequestOptions, secrets: boolean): Promise<Answer> => {
		const request: IHttpRequestOptions = {
			...options,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: TEST_TIMEOUT_MS,
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
	if (failure instanceof UserError) throw failure;
	const problem = expired() ? `it did not answer within ${TEST_TIMEOUT_MS / 1000} s` : networkProblem(failure, { clientCertificate: credentials.useTls === true });
	throw new UserError(sentence(`GET ${displayUrl(url)} failed: ${problem ?? (failure as Error)?.message ?? 'the connection failed'}`));
}

/** GET {Base URL}/models, and what OpenAI's answer says about the key, organization, project or URL. */
async function checkOpenAi(http: IHttpRequestHelper, type: ICredentialType, data: ICredentialDataDecryptedObject): Promise<string> {
	const url = openAiUrl(data, 'models');
	const answer = await send(http, type, data, url);
	const where = `GET ${displayUrl(answer.url)}`;
	const raw = await readBody(answer.body, MAX_TEST_ANSWER, where, 'The Base URL must be an OpenAI-compatible API.');
	let body: unknown;
	try {
		body = JSON.parse(raw.toString('utf8'));
	} catch {
		body = undefined;
	}
	const status = answer.statusCode;
	if (status >= 200 && status < 300) {
		if (!Array.isArray((body as { data?: unknown })?.data)) {
			throw new UserError(`${where} answered, but not with a model list. The Base URL must be an OpenAI-compatible API, such as ${OPENAI_BASE_URL}.`);
		}
		return 'OpenAI accepted the key.';
	}
	const problem = credentialProblem(status, body, data);
	if (problem) throw new UserError(problem);
	if (status === 404) throw new UserError(`${where} answered HTTP 404: this Base URL does not serve /models. For OpenAI it is ${OPENAI_BASE_URL}.`);
	const said = openAiErrorOf(body)?.message;
	throw new UserError(
		`${where} answered HTTP ${status}${said ? `: ${scrub(said, openAiSecrets(data))}` : ''}.${status >= 500 || status === 429 ? ' Try again later.' : ''}`,
	);
}
