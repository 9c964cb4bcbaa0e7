import type { IBinaryKeyData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readPath } from '../../credentials/common/tokenEndpoint';

// Turns one HTTP answer into output items.

export interface FullResponse {
	body: unknown;
	headers: Record<string, string>;
	statusCode: number;
	statusMessage?: string;
}

export interface ResponseSettings {
	format: 'autodetect' | 'json' | 'text' | 'file';
	fullResponse: boolean;
	outputField: string;
	split: boolean;
	itemsPath: string;
	binaryProperty: string;
}

export type Body = { kind: 'json'; value: unknown } | { kind: 'text'; value: string } | { kind: 'file'; value: Buffer };

/** The answer was asked for as JSON but is not JSON. */
export class NotJsonError extends Error {
	constructor() {
		super('The answer is not valid JSON. Set the Response Format to Text or Autodetect.');
	}
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

const TEXT_TYPES = /^(text\/|application\/(xml|javascript|x-www-form-urlencoded)|[^;]*\+xml)/i;

function bufferOf(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof Uint8Array) return Buffer.from(body);
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (typeof body === 'string') return Buffer.from(body);
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(JSON.stringify(body));
}

/** Reads the body as the settings (or the Content-Type) say. */
export function readBody(response: FullResponse, format: ResponseSettings['format']): Body {
	const buffer = bufferOf(response.body);
	const type = String(response.headers?.['content-type'] ?? '');
	if (format === 'file') return { kind: 'file', value: buffer };
	if (format === 'text') return { kind: 'text', value: buffer.toString('utf8') };
	if (format === 'json' || /json/i.test(type) || (format === 'autodetect' && !type && buffer.length === 0)) {
		if (buffer.length === 0) return { kind: 'json', value: {} };
		const text = buffer.toString('utf8');
		const parsed = parseJson(text);
		if (parsed.ok) return { kind: 'json', value: parsed.value };
		if (format === 'json') throw new NotJsonError();
		return { kind: 'text', value: text };
	}
	if (TEXT_TYPES.test(type)) return { kind: 'text', value: buffer.toString('utf8') };
	return { kind: 'file', value: buffer };
}

function fileName(response: FullResponse, url: string): string {
	const disposition = String(response.headers?.['content-disposition'] ?? '');
	const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
	if (match) return decodeURIComponent(match[1]);
	const last = URL.canParse(url) ? new URL(url).pathname.split('/').filter(Boolean).pop() : undefined;
	return last || 'file';
}

/** The array a page contributes, for "split" and for the "empty page" stop condition. */
export function itemsOf(body: Body, settings: ResponseSettings): unknown[] | undefined {
	if (body.kind !== 'json') return undefined;
	const value = settings.itemsPath ? readPath(body.value, settings.itemsPath) : body.value;
	return Array.isArray(value) ? value : undefined;
}

export async function toItems(
	ctx: IExecuteFunctions,
	itemIndex: number,
	response: FullResponse,
	body: Body,
	settings: ResponseSettings,
	url: string,
): Promise<INodeExecutionData[]> {
	const pairedItem = { item: itemIndex };
	let binary: IBinaryKeyData | undefined;
	let value: unknown;
	if (body.kind === 'file') {
		const mimeType = String(response.headers?.['content-type'] ?? 'application/octet-stream').split(';')[0];
		binary = { [settings.binaryProperty]: await ctx.helpers.prepareBinaryData(body.value, fileName(response, url), mimeType) };
		value = {};
	} else {
		value = body.value;
	}
	const wrap = (json: unknown): IDataObject => {
		const object = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as IDataObject) : { data: json as IDataObject };
		return settings.outputField ? { [settings.outputField]: json as IDataObject } : object;
	};
	if (settings.fullResponse) {
		const full = { statusCode: response.statusCode, statusMessage: response.statusMessage, headers: response.headers, body: value };
		return [{ json: settings.outputField ? { [settings.outputField]: full as IDataObject } : (full as IDataObject), binary, pairedItem }];
	}
	const elements = settings.split ? itemsOf(body, settings) : undefined;
	if (elements) return elements.map((element) => ({ json: wrap(element), pairedItem }));
	return [{ json: wrap(value), binary, pairedItem }];
}
