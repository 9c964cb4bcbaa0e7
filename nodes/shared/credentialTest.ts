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

import { hasDevelopmentKey, withEnvironment, type Environment } from '../../credentials/common/apiKeys';
import { requestUrl } from '../../credentials/common/boundary';
import { kindOf } from '../../credentials/common/catalog';
import { MAX_CHECK_ANSWER, sendCheck, type Authenticate } from '../../credentials/common/check';
import { displayUrl, sentence } from '../../credentials/common/messages';
import { AWS_SIGV4_CREDENTIAL, checkAwsCredential } from '../../credentials/common/awsCheck';
import { checkOpenAiKey, OPENAI_CREDENTIAL } from '../../credentials/common/openAi';
import { answerUnlessAborted, discard, readBody } from '../../credentials/common/transport';
import { resolveUrl } from '../../credentials/common/urls';
import { credentialType } from './credentialTypes';

// The Test button of every credential type of the package (the nodes' `testedBy`). It checks
// the credential the way calls use it, through the same boundary: a token is obtained first
// where the type has one, the Test URL is called with the credential on its own origin only,
// redirects are followed hop by hop, and a redirect to another origin fails the test without
// sending anything there. Each failure says what to fix: which key, the token endpoint, the
// client certificate, the server's CA.

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
		// The legacy helper takes no signal: the signal ends the wait, and the body, from outside.
		const signal = options.abortSignal as AbortSignal | undefined;
		const url = requestUrl(options);
		const response = signal
			? await answerUnlessAborted(
					sent.then((answer) => ({ ...answer, url })),
					signal,
				)
			: await sent;
		return options.returnFullResponse ? response : response.body;
	};
	return { helpers: { httpRequest } } as IHttpRequestHelper;
}

/** Configured API Call's and OpenAI Models' `testedBy`. */
export async function testCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	try {
		// The only request helper n8n gives a credential test (CredentialTestContext).
		const { request } = this.helpers;
		const message = await checkCredential(legacyHttp(request), credential.type, credential.data ?? {});
		return { status: 'OK', message };
	} catch (error) {
		return {
			status: 'Error',
			message: error instanceof UserError ? error.message : `The test failed: ${(error as Error)?.message ?? 'unknown error'}`,
		};
	}
}

/** Checks a credential; resolves with what was verified, or throws a message that says what to fix. */
export async function checkCredential(http: IHttpRequestHelper, typeName: string, data: ICredentialDataDecryptedObject): Promise<string> {
	const type = credentialType(typeName);
	if (typeName === OPENAI_CREDENTIAL) return await checkOpenAiKey(http, data);
	if (typeName === AWS_SIGV4_CREDENTIAL) return await checkAwsCredential(http, type.authenticate as Authenticate, data);
	if (kindOf(typeName) !== 'key') {
		await checkTestUrl(http, type, data);
		return 'The API accepted the credential.';
	}
	// Each key against its own Test URL (the development key may have its own Base URL).
	const environments: Environment[] = hasDevelopmentKey(data) ? ['live', 'development'] : ['live'];
	const verdicts: string[] = [];
	let failed = false;
	for (const environment of environments) {
		try {
			await checkTestUrl(http, type, withEnvironment(data, environment));
			verdicts.push(`${environment} key accepted`);
		} catch (error) {
			failed = true;
			verdicts.push(
				error instanceof Refusal
					? `${environment} key refused (HTTP ${error.status}) at ${error.where}`
					: `${environment} key: ${(error as Error).message.replace(/\.$/, '')}`,
			);
		}
	}
	const summary = sentence(verdicts.join('; '));
	if (failed) throw new UserError(`Key check: ${summary}`);
	return `Key check: ${summary}`;
}

/** The Test URL refused the credential (401 or 403). */
class Refusal extends UserError {
	readonly status: number;

	readonly where: string;

	constructor(status: number, where: string) {
		super(
			`${where} refused the credential (HTTP ${status})${status === 403 ? ': it is wrong, or lacks permission for the Test URL' : ''}. Check the credential's values.`,
		);
		this.status = status;
		this.where = where;
	}
}

/** GET the Test URL with the credential; throws a message unless it answers 2xx. */
async function checkTestUrl(http: IHttpRequestHelper, type: ICredentialType, data: ICredentialDataDecryptedObject): Promise<void> {
	const url = resolveUrl(data.baseUrl as string, data.testUrl as string, 'Test URL');
	const credentials = {
		...data,
		...(type.preAuthentication ? await type.preAuthentication.call(http, { ...data }) : {}),
	} as ICredentialDataDecryptedObject;
	const answer = await sendCheck(http, type.authenticate as Authenticate, credentials, url);
	const status = answer.statusCode;
	if (status >= 200 && status < 300) return discard(answer.body);
	const where = `GET ${displayUrl(answer.url)}`;
	if (status === 401 || status === 403) throw new Refusal(status, where);
	if (status === 400 || status === 495 || status === 496) {
		const text = (await readBody(answer.body, MAX_CHECK_ANSWER, where, '', answer.signal)).toString('utf8');
		if (/ssl certificate|client certificate/i.test(text)) {
			throw new UserError(
				credentials.useTls === true
					? `${where}: the server refused the client certificate (HTTP ${status}). Check that it is the one the API provider issued, and not revoked or expired.`
					: `${where}: the server requires a client certificate (HTTP ${status}). Turn on "Client Certificate or Private CA" and set one.`,
			);
		}
	}
	if (status === 404) throw new UserError(`${where} answered HTTP 404: check the Test URL and the Base URL.`);
	throw new UserError(
		`${where} answered HTTP ${status}: the Test URL must be a GET endpoint that answers 2xx when the credential is valid.`,
	);
}
