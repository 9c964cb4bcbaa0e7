import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INodeExecutionData,
} from 'n8n-workflow';

import type { Environment } from '../../credentials/common/apiKeys';
import { bodyOf, headersOf, statusOf } from '../../credentials/common/messages';
import { readPath } from '../../credentials/common/tokenEndpoint';
import { asNodeError, callError, httpStatusError } from '../shared/errors';
import { mapInOrder } from '../shared/pool';
import { parameterReader, type ParameterReader } from '../shared/parameters';
import { NO_RETRY, withRetries, type Attempt, type RetryPolicy } from '../shared/retry';
import { CallSession } from '../shared/session';
import { buildRequest, type CallSettings } from './request';
import { itemsOf, readBody, toItems, type FullResponse, type ResponseSettings } from './response';

// One execution of Configured API Call: read the credential once, then call per item, in order,
// with the chosen number of calls in flight.

const MANUAL_MODES = new Set(['manual']);

/** Automatic: the development key when a person runs the workflow from the editor. */
export function environmentFor(choice: string, mode: string): Environment {
	if (choice === 'live' || choice === 'development') return choice;
	return MANUAL_MODES.has(mode) ? 'development' : 'live';
}

interface Pagination {
	mode: 'off' | 'nextUrl' | 'page' | 'offset' | 'cursor';
	nextUrlPath: string;
	parameter: string;
	start: number;
	step: number;
	cursorPath: string;
	stopWhen: 'empty' | 'status' | 'field';
	stopStatus: number[];
	stopPath: string;
	stopValue: string;
	maxPages: number;
}

function paginationOf(read: ParameterReader, itemIndex: number): Pagination {
	const p = read<IDataObject>('pagination', itemIndex, {});
	const mode = (p.mode as Pagination['mode']) ?? 'off';
	return {
		mode,
		nextUrlPath: (p.nextUrlPath as string) ?? 'next',
		parameter: (p.parameter as string) || (mode === 'offset' ? 'offset' : mode === 'cursor' ? 'cursor' : 'page'),
		start: (p.start as number) ?? (mode === 'offset' ? 0 : 1),
		step: (p.step as number) ?? 1,
		cursorPath: (p.cursorPath as string) ?? 'next_cursor',
		stopWhen: (p.stopWhen as Pagination['stopWhen']) ?? 'empty',
		stopStatus: String(p.stopStatus ?? '404').split(',').map((s) => Number(s.trim())).filter(Boolean),
		stopPath: (p.stopPath as string) ?? 'has_more',
		stopValue: String(p.stopValue ?? 'false'),
		maxPages: (p.maxPages as number) ?? 100,
	};
}

function responseSettingsOf(read: ParameterReader, itemIndex: number): ResponseSettings & { neverError: boolean } {
	const r = read<IDataObject>('response', itemIndex, {});
	return {
		format: (r.format as ResponseSettings['format']) ?? 'autodetect',
		fullResponse: r.fullResponse === true,
		outputField: (r.outputField as string) ?? '',
		split: r.split !== false,
		itemsPath: (r.itemsPath as string) ?? '',
		binaryProperty: (r.binaryProperty as string) || 'data',
		neverError: r.neverError === true,
	};
}

export async function executeCalls(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const read = parameterReader(ctx);
	const authentication = ctx.getNodeParameter('authentication', 0, 'none') as string;
	const environment = environmentFor(ctx.getNodeParameter('environment', 0, 'automatic') as string, ctx.getMode());
	const node = ctx.getNode();
	let session: CallSession;
	try {
		session = await CallSession.open(ctx, authentication, environment);
	} catch (error) {
		throw new NodeOperationError(node, error as Error);
	}
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const settings: CallSettings = {
		timeoutMs: ((options.timeout as number) ?? 300) * 1000,
		followRedirects: options.followRedirects !== false,
		ignoreSslIssues: options.ignoreSslIssues === true,
	};
	const retry: RetryPolicy = options.retry
		? { maxTries: (options.maxTries as number) ?? 3, maxWaitMs: ((options.maxWait as number) ?? 60) * 1000, baseDelayMs: 500 }
		: NO_RETRY;
	const cancelled = () => ctx.getExecutionCancelSignal?.()?.aborted === true;
	const concurrency = Math.max(1, Math.min(64, (options.concurrency as number) ?? 1));

	const attempt = async (request: IHttpRequestOptions): Promise<Attempt<FullResponse>> => {
		try {
			const response = (await session.send({ ...request, headers: { ...request.headers } })) as FullResponse;
			return { result: response, status: response.statusCode, headers: response.headers };
		} catch (error) {
			// A refresh status (401 by default) still refused after n8n refreshed the credential
			// arrives as an error: it becomes a response again, so Never Error and the usual
			// message apply to it.
			const status = statusOf(error);
			if (status) return { result: { statusCode: status, headers: headersOf(error), body: bodyOf(error) }, status };
			return { error };
		}
	};

	const callItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
		const request = await buildRequest(ctx, read, itemIndex, session, settings);
		const responseSettings = responseSettingsOf(read, itemIndex);
		const pagination = paginationOf(read, itemIndex);
		const { neverError } = responseSettings;
		const method = String(request.method);
		const output: INodeExecutionData[] = [];
		let page = request;
		for (let pageCount = 1; ; pageCount++) {
			const outcome = await withRetries(retry, async () => await attempt(page), cancelled);
			if (!outcome.result) {
				throw callError(node, outcome.error, { method, url: page.url, itemIndex, clientCertificate: session.clientCertificate, secrets: session.secrets });
			}
			const response = outcome.result;
			if (pagination.mode !== 'off' && pagination.stopWhen === 'status' && pagination.stopStatus.includes(response.statusCode)) break;
			const body = readBody(response, response.statusCode >= 400 ? 'autodetect' : responseSettings.format);
			if (response.statusCode >= 400 && !neverError) {
				throw httpStatusError(node, { method, url: page.url, status: response.statusCode, body: body.value, itemIndex, secrets: session.secrets });
			}
			output.push(...(await toItems(ctx, itemIndex, response, body, responseSettings, page.url)));
			if (pagination.mode === 'off' || pageCount >= pagination.maxPages) break;
			const next = nextPage(page, body.kind === 'json' ? body.value : undefined, itemsOf(body, responseSettings), pagination, pageCount);
			if (!next) break;
			page = next;
		}
		return output;
	};

	const results = await mapInOrder(items.length, concurrency, async (itemIndex) => {
		try {
			return await callItem(itemIndex);
		} catch (error) {
			const nodeError = asNodeError(node, error, itemIndex);
			if (!ctx.continueOnFail()) throw nodeError;
			return [{ json: { error: nodeError.message, ...(nodeError.description ? { description: nodeError.description } : {}) }, pairedItem: { item: itemIndex } }];
		}
	});
	return [results.flat()];
}

/** The request of the next page, or undefined when pagination ends. */
function nextPage(
	request: IHttpRequestOptions,
	body: unknown,
	pageItems: unknown[] | undefined,
	p: Pagination,
	pageCount: number,
): IHttpRequestOptions | undefined {
	if (p.stopWhen === 'empty' && pageItems !== undefined && pageItems.length === 0) return undefined;
	if (p.stopWhen === 'field' && String(readPath(body, p.stopPath)) === p.stopValue) return undefined;
	if (p.mode === 'nextUrl') {
		const next = readPath(body, p.nextUrlPath);
		if (typeof next !== 'string' || !next) return undefined;
		// A relative next link resolves against the current page; its query replaces ours.
		return { ...request, url: new URL(next, request.url).toString(), qs: undefined };
	}
	if (p.mode === 'cursor') {
		const cursor = readPath(body, p.cursorPath);
		if (cursor === undefined || cursor === null || cursor === '') return undefined;
		return withParameter(request, p.parameter, String(cursor));
	}
	if (p.stopWhen !== 'empty' && pageItems?.length === 0) return undefined;
	return withParameter(request, p.parameter, String(p.start + p.step * pageCount));
}

/** The request with one query parameter set, whether it was in the URL or in the parameters. */
function withParameter(request: IHttpRequestOptions, name: string, value: string): IHttpRequestOptions {
	const url = new URL(request.url);
	url.searchParams.delete(name);
	return { ...request, url: url.toString(), qs: { ...request.qs, [name]: value } };
}
