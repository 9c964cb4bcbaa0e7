import {
	NodeError,
	NodeOperationError,
	UserError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { hasDevelopmentKey, type Environment } from '../../credentials/common/apiKeys';
import type { Boundary } from '../../credentials/common/boundary';
import { displayUrl } from '../../credentials/common/messages';
import { CancelledError, discard } from '../../credentials/common/transport';
import { asNodeError, callError, errorItem, httpStatusError } from '../shared/errors';
import { parameterReader, type ParameterReader } from '../shared/parameters';
import { mapInOrder } from '../shared/pool';
import { isRetryable, NO_RETRY, withRetries, type Attempt, type RetryOutcome, type RetryPolicy } from '../shared/retry';
import { CallSession, type CallAnswer, type CallPolicy } from '../shared/session';
import { nextPage, paginationOf, Progress } from './pagination';
import { buildRequest } from './request';
import { outputItems, readAnswer, readSmall, type Body, type ResponseSettings } from './response';

// One execution of Configured API Call: read the credential once, then call per item, in order,
// with the chosen number of calls in flight. Stop ends the work at once: no new item, page,
// retry or wait starts, and calls in flight are aborted.

/**
 * Automatic: the development key when a person runs the workflow from the editor and the
 * credential has one; the live key otherwise.
 */
export function environmentFor(choice: string, mode: string, hasDevelopment: boolean): Environment {
	if (choice === 'live' || choice === 'development') return choice;
	return mode === 'manual' && hasDevelopment ? 'development' : 'live';
}

function responseSettingsOf(read: ParameterReader, itemIndex: number, maxBytes: number): ResponseSettings & { neverError: boolean } {
	const r = read<IDataObject>('response', itemIndex, {});
	return {
		format: (r.format as ResponseSettings['format']) ?? 'autodetect',
		fullResponse: r.fullResponse === true,
		outputField: (r.outputField as string) ?? '',
		split: r.split !== false,
		itemsPath: (r.itemsPath as string) ?? '',
		binaryProperty: (r.binaryProperty as string) || 'data',
		neverError: r.neverError === true,
		maxBytes,
	};
}

export async function executeCalls(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const read = parameterReader(ctx);
	const authentication = ctx.getNodeParameter('authentication', 0, 'none') as string;
	const node = ctx.getNode();
	let session: CallSession;
	try {
		const choice = ctx.getNodeParameter('environment', 0, 'automatic') as string;
		session = await CallSession.open(ctx, authentication, (stored) => environmentFor(choice, ctx.getMode(), hasDevelopmentKey(stored)));
	} catch (error) {
		throw new NodeOperationError(node, error as Error);
	}
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const policy: CallPolicy = {
		timeoutMs: ((options.timeout as number) ?? 300) * 1000,
		followRedirects: options.followRedirects !== false,
		crossOrigin: options.crossOrigin === 'error' ? 'error' : 'strip',
	};
	const maxBytes = Math.max(1, (options.maxResponseMb as number) ?? 100) * 1024 * 1024;
	const ignoreSslIssues = options.ignoreSslIssues === true;
	const retry: RetryPolicy = options.retry
		? { maxTries: (options.maxTries as number) ?? 3, maxWaitMs: ((options.maxWait as number) ?? 60) * 1000, baseDelayMs: 500 }
		: NO_RETRY;
	const signal = session.cancel;
	const concurrency = Math.max(1, Math.min(64, (options.concurrency as number) ?? 1));

	/** One try. An answer that will be retried is read now (it is small), so nothing stays open. */
	const attempt = async (request: IHttpRequestOptions, boundary: Boundary | undefined): Promise<Attempt<CallAnswer>> => {
		try {
			const answer = await session.call({ ...request, headers: { ...request.headers } }, boundary, policy);
			const outcome = { result: answer, status: answer.statusCode, headers: answer.headers };
			if (isRetryable(outcome) && retry.maxTries > 1)
				answer.body = await readSmall(answer, maxBytes, `${request.method} ${displayUrl(answer.url)}`);
			return outcome;
		} catch (error) {
			return { error };
		}
	};

	/** Reads a page's body; a failure while reading says whether Stop or the Timeout ended it. */
	const readPage = async (answer: CallAnswer, what: string, read: () => Promise<Body>): Promise<Body> => {
		let failure: unknown;
		try {
			return await read();
		} catch (error) {
			failure = error;
		}
		discard(answer.body);
		if (signal?.aborted) throw new CancelledError();
		if (answer.expired())
			throw new UserError(`${what} did not finish within ${policy.timeoutMs / 1000} s (the node's Timeout, for the whole answer).`);
		throw failure;
	};

	const callItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
		const request = await buildRequest(ctx, read, itemIndex, session, ignoreSslIssues);
		const boundary = session.boundaryFor(request.url);
		const responseSettings = responseSettingsOf(read, itemIndex, maxBytes);
		const pagination = paginationOf(read, itemIndex);
		const { neverError } = responseSettings;
		const method = String(request.method);
		const output: INodeExecutionData[] = [];
		const progress = new Progress();
		let page = request;
		for (let pageCount = 1; ; pageCount++) {
			if (signal?.aborted) throw new CancelledError();
			const outcome = await withRetries(retry, async () => await attempt(page, boundary), signal);
			if (!outcome.result) {
				throw callError(node, outcome.error, {
					method,
					url: page.url,
					itemIndex,
					clientCertificate: session.clientCertificate,
					secrets: session.secrets,
				});
			}
			const answer = outcome.result;
			const what = `${method} ${displayUrl(answer.url)}`;
			if (pagination.mode !== 'off' && pagination.stopWhen === 'status' && pagination.stopStatus.includes(answer.statusCode)) {
				discard(answer.body);
				break;
			}
			const body = await readPage(answer, what, async () => {
				if (answer.statusCode >= 400 && !neverError) {
					const raw = await readSmall(answer, maxBytes, what);
					throw httpStatusError(node, {
						method,
						url: answer.url,
						status: answer.statusCode,
						body: parseLoosely(raw),
						itemIndex,
						secrets: session.secrets,
						sent: session.kind === 'key' ? `the ${String(session.credentialData.environment)} key was sent` : undefined,
						...retryNote(outcome, retry),
					});
				}
				return await readAnswer(ctx, answer, answer.statusCode >= 400 ? 'autodetect' : responseSettings.format, responseSettings, what);
			});
			output.push(...outputItems(itemIndex, answer, body, responseSettings));
			if (pagination.mode === 'off' || pageCount >= pagination.maxPages) break;
			const next = nextPage(page, body, responseSettings, pagination, pageCount);
			if (!next) break;
			progress.check(pageCount, page, next, body, pagination);
			page = next;
		}
		return output;
	};

	const results = await mapInOrder(
		items.length,
		concurrency,
		async (itemIndex) => {
			let failure: NodeError;
			try {
				return await callItem(itemIndex);
			} catch (error) {
				failure = asNodeError(node, error, itemIndex);
			}
			if (signal?.aborted || !ctx.continueOnFail()) throw failure;
			return [errorItem(failure, itemIndex)];
		},
		signal,
	);
	return [results.flat()];
}

/** An error answer's body as JSON when it is JSON, else as text. */
function parseLoosely(raw: Buffer): unknown {
	if (raw.length === 0) return undefined;
	const text = raw.toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		return text;
	}
}

/** What the error message should add about retries: a Retry-After beyond the budget. */
function retryNote(outcome: RetryOutcome<CallAnswer>, retry: RetryPolicy): { hint?: string } {
	if (outcome.refusedWaitMs === undefined) return {};
	const asked = String(outcome.headers?.['retry-after'] ?? '');
	return {
		hint: `The API asked to wait ${Math.ceil(outcome.refusedWaitMs / 1000)} s before trying again (Retry-After: ${asked.slice(0, 40)}), more than the Max Total Wait of ${retry.maxWaitMs / 1000} s allows. Raise Max Total Wait, or run the workflow later.`,
	};
}
