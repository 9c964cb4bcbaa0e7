import { createHash } from 'crypto';
import { UserError, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';

import { readPath } from '../../credentials/common/paths';
import type { ParameterReader } from '../shared/parameters';
import { itemsOf, type Body, type ResponseSettings } from './response';

// Pagination of Configured API Call: the next page's request from the last answer, when to
// stop, and the check that pagination moves on instead of repeating itself.

export interface Pagination {
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

export function paginationOf(read: ParameterReader, itemIndex: number): Pagination {
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
		stopStatus: String(p.stopStatus ?? '404')
			.split(',')
			.map((s) => Number(s.trim()))
			.filter(Boolean),
		stopPath: (p.stopPath as string) ?? 'has_more',
		stopValue: String(p.stopValue ?? 'false'),
		maxPages: (p.maxPages as number) ?? 100,
	};
}

/**
 * Pagination must move on: a next URL or cursor seen before, or a page identical to the one
 * before it, would repeat the same items until the page limit.
 */
export class Progress {
	private readonly seen = new Set<string>();

	private previous: string | undefined;

	check(pageCount: number, page: IHttpRequestOptions, next: IHttpRequestOptions, body: Body, p: Pagination): void {
		this.seen.add(requestKey(page));
		const digest = body.kind === 'file' ? undefined : createHash('sha256').update(body.raw).digest('base64');
		const repeatedBody = digest !== undefined && digest === this.previous;
		this.previous = digest;
		if (this.seen.has(requestKey(next))) {
			const what =
				p.mode === 'cursor'
					? `cursor (at "${p.cursorPath}")`
					: p.mode === 'nextUrl'
						? `next URL (at "${p.nextUrlPath}")`
						: `"${p.parameter}" value`;
			throw new UserError(
				`Pagination does not progress: page ${pageCount} gives a ${what} that was already fetched. Check the ${p.mode === 'cursor' ? 'Cursor Path' : p.mode === 'nextUrl' ? 'Next URL Path' : 'Parameter Name'}.`,
			);
		}
		if (repeatedBody) {
			throw new UserError(
				`Pagination does not progress: page ${pageCount} answered exactly what page ${pageCount - 1} did, so the API ignores how the next page is asked for. Check the pagination Mode and Parameter Name.`,
			);
		}
	}
}

function requestKey(request: IHttpRequestOptions): string {
	const url = new URL(request.url);
	for (const [name, value] of Object.entries(request.qs ?? {})) url.searchParams.set(name, String(value));
	url.searchParams.sort();
	return url.toString();
}

/** The request of the next page, or undefined when pagination ends. */
export function nextPage(
	request: IHttpRequestOptions,
	body: Body,
	settings: ResponseSettings,
	p: Pagination,
	pageCount: number,
): IHttpRequestOptions | undefined {
	const json = body.kind === 'json' ? body.value : undefined;
	const pageItems = itemsOf(body, settings);
	if (p.stopWhen === 'empty' && pageItems !== undefined && pageItems.length === 0) return undefined;
	if (p.stopWhen === 'field' && String(readPath(json, p.stopPath)) === p.stopValue) return undefined;
	if (p.mode === 'nextUrl') {
		const next = readPath(json, p.nextUrlPath);
		if (typeof next !== 'string' || !next) return undefined;
		if (!URL.canParse(next, request.url))
			throw new UserError(`Pagination: the next URL at "${p.nextUrlPath}" of page ${pageCount} is not a valid URL.`);
		// A relative next link resolves against the current page; its query replaces ours.
		return { ...request, url: new URL(next, request.url).toString(), qs: undefined };
	}
	if (p.mode === 'cursor') {
		const cursor = readPath(json, p.cursorPath);
		if (cursor === undefined || cursor === null || cursor === '') return undefined;
		return withParameter(request, p.parameter, String(cursor));
	}
	if (p.stopWhen === 'empty' && pageItems === undefined) {
		throw new UserError(
			`Pagination by ${p.mode === 'offset' ? 'offset' : 'page'} stops on an empty page, but page ${pageCount} is not a JSON array${settings.itemsPath ? ` at "${settings.itemsPath}"` : ''}: the end could never be seen. Set Items Path to the array in the answer, or choose another Stop When.`,
		);
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
