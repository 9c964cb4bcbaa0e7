import { NodeApiError, type IDataObject, type IHttpRequestMethods, type INode, type JsonObject } from 'n8n-workflow';

import { displayUrl } from '../../credentials/common/messages';
import { credentialProblem, OPENAI_BASE_URL, openAiErrorOf, openAiSecrets, openAiUrl, scrub } from '../../credentials/common/openAi';
import { readBody } from '../../credentials/common/transport';
import { callError } from '../shared/errors';
import { retryAfterMs, withRetries, type Attempt, type RetryPolicy } from '../shared/retry';
import type { CallSession } from '../shared/session';

// Every call of the node: one request through the credential, retried after 429 and 5xx within
// a bound (Retry-After honoured), and OpenAI's error JSON turned into a message that says what to
// do. OpenAI's own texts are quoted only with every key and masked key blanked out.

export const SURFACE = 'OpenAI Models';
const TIMEOUT_MS = 60_000;
/** The most the node waits for one call in all, however often OpenAI says to retry. */
export const MAX_WAIT_MS = 60_000;
/** A model list is a few hundred KB; anything far bigger is not OpenAI's. */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export interface OpenAiApi {
	session: CallSession;
	node: INode;
	retry: RetryPolicy;
}

export interface Answer {
	body: IDataObject;
	/** Request ID and rate-limit headers, for the Include Response Metadata option. */
	metadata: IDataObject;
}

interface FullResponse {
	body: unknown;
	headers: Record<string, string>;
	statusCode: number;
}

export function retryPolicy(retries: number): RetryPolicy {
	return { maxTries: Math.max(0, Math.floor(retries)) + 1, maxWaitMs: MAX_WAIT_MS, baseDelayMs: 1000 };
}

const RATE_LIMIT_HEADERS: Record<string, string> = {
	limitRequests: 'x-ratelimit-limit-requests',
	remainingRequests: 'x-ratelimit-remaining-requests',
	resetRequests: 'x-ratelimit-reset-requests',
	limitTokens: 'x-ratelimit-limit-tokens',
	remainingTokens: 'x-ratelimit-remaining-tokens',
	resetTokens: 'x-ratelimit-reset-tokens',
};

function metadataOf(headers: Record<string, string> = {}): IDataObject {
	const rateLimit: IDataObject = {};
	for (const [field, header] of Object.entries(RATE_LIMIT_HEADERS)) {
		const value = headers[header];
		if (value === undefined) continue;
		rateLimit[field] = /^\d+$/.test(value) ? Number(value) : value;
	}
	const metadata: IDataObject = { requestId: headers['x-request-id'] ?? null, rateLimit };
	if (headers['openai-organization']) metadata.organization = headers['openai-organization'];
	if (headers['openai-processing-ms']) metadata.processingMs = Number(headers['openai-processing-ms']);
	return metadata;
}

/** OpenAI also sends retry-after-ms, finer than Retry-After's whole seconds. */
function retryHeaders(headers: Record<string, string> = {}): Record<string, unknown> {
	const ms = Number(headers['retry-after-ms']);
	return Number.isFinite(ms) && ms >= 0 && headers['retry-after-ms'] !== undefined ? { ...headers, 'retry-after': ms / 1000 } : headers;
}

export async function callOpenAi(
	api: OpenAiApi,
	call: { method: IHttpRequestMethods; path: string; itemIndex: number; modelId?: string },
): Promise<Answer> {
	const { method, itemIndex } = call;
	const credentials = api.session.credentialData;
	const url = openAiUrl(credentials, call.path);
	const started = Date.now();
	const boundary = api.session.boundaryFor(url);
	const outcome = await withRetries(
		api.retry,
		async (): Promise<Attempt<FullResponse>> => {
			try {
				const answer = await api.session.call({ url, method }, boundary, {
					timeoutMs: TIMEOUT_MS,
					followRedirects: true,
					crossOrigin: 'error',
				});
				const raw = await readBody(
					answer.body,
					MAX_ANSWER_BYTES,
					`${method} ${displayUrl(answer.url)}`,
					'The Base URL must be an OpenAI-compatible API.',
					answer.signal,
				);
				const response = { statusCode: answer.statusCode, headers: answer.headers, body: parseJson(raw) };
				// A used-up quota is a 429 that waiting does not cure: no status, no retry.
				const final = response.statusCode === 429 && openAiErrorOf(response.body)?.code === 'insufficient_quota';
				return { result: response, status: final ? undefined : response.statusCode, headers: retryHeaders(response.headers) };
			} catch (error) {
				return { error };
			}
		},
		api.session.cancel,
	);
	if (!outcome.result) throw callError(api.node, outcome.error, { method, url, itemIndex, secrets: openAiSecrets(credentials) });
	const response = outcome.result;
	if (response.statusCode >= 200 && response.statusCode < 300) {
		const body = response.body;
		if (!body || typeof body !== 'object' || Array.isArray(body)) {
			throw apiError(
				api.node,
				itemIndex,
				response.statusCode,
				`${method} ${displayUrl(url)} answered, but not with OpenAI's JSON. The Base URL must be an OpenAI-compatible API, such as ${OPENAI_BASE_URL}.`,
			);
		}
		return { body: body as IDataObject, metadata: metadataOf(response.headers) };
	}
	throw openAiError(api, { method, url, itemIndex, modelId: call.modelId, response, tries: outcome.tries, waitedMs: Date.now() - started });
}

function parseJson(raw: Buffer): unknown {
	if (raw.length === 0) return undefined;
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		return raw.toString('utf8');
	}
}

function apiError(node: INode, itemIndex: number, status: number, message: string, description?: string): NodeApiError {
	return new NodeApiError(node, { message, httpCode: String(status) } as JsonObject, {
		message,
		description,
		httpCode: String(status),
		itemIndex,
	});
}

/** OpenAI's error answer as a node error that says what happened and what to do. */
function openAiError(
	api: OpenAiApi,
	options: { method: string; url: string; itemIndex: number; modelId?: string; response: FullResponse; tries: number; waitedMs: number },
): NodeApiError {
	const { method, url, itemIndex, modelId, response, tries } = options;
	const status = response.statusCode;
	const credentials = api.session.credentialData;
	const error = openAiErrorOf(response.body);
	const code = error?.code ?? error?.type;
	const tag = `HTTP ${status}${code ? ` ${code}` : ''}`;
	const requestId = response.headers?.['x-request-id'];
	const said = error?.message && error.code !== 'invalid_api_key' ? `OpenAI said: ${scrub(error.message, openAiSecrets(credentials))}` : '';
	const description = [said, requestId ? `Request ID: ${requestId}.` : ''].filter(Boolean).join(' ') || undefined;

	const otherProblem = (): string => {
		if (status === 404 && error?.code === 'model_not_found') {
			return `Model "${modelId ?? ''}" not found (${tag}): it does not exist, was deleted, or this key's organization and project cannot see it.`;
		}
		if (status === 404) {
			return `${method} ${displayUrl(url)} answered ${tag}: check the Base URL of the credential (for OpenAI: ${OPENAI_BASE_URL}).`;
		}
		if (status === 429 && error?.code === 'insufficient_quota') {
			return `OpenAI's quota is used up (${tag}): waiting does not help. Add credits or raise the budget at https://platform.openai.com/settings/organization/billing.`;
		}
		if (status === 429 || status >= 500) {
			const asked = retryAfterMs(retryHeaders(response.headers));
			const why =
				tries < api.retry.maxTries && asked !== undefined
					? `OpenAI asked to wait ${Math.ceil(asked / 1000)} s more (Retry-After), beyond this node's limit of ${MAX_WAIT_MS / 1000} s per call`
					: `still after ${tries} ${tries === 1 ? 'try' : 'tries'} in ${(options.waitedMs / 1000).toFixed(1)} s`;
			return status === 429
				? `OpenAI is rate limiting this key (${tag}): ${why}. Send fewer calls at once, raise Rate Limit Retries, or ask OpenAI for a higher limit.`
				: `OpenAI failed (${tag}): ${why}. Try again later.`;
		}
		return `OpenAI refused ${method} ${displayUrl(url)} (${tag}).`;
	};
	const message = credentialProblem(status, response.body, credentials) ?? otherProblem();
	return apiError(api.node, itemIndex, status, message, description);
}
