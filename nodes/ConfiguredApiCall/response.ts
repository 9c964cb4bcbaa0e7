import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { readPath } from '../../credentials/common/paths';
import { limitStream, readBody, type Answer } from '../../credentials/common/transport';

// Turns one HTTP answer into output items. JSON and text are read into memory up to the size
// limit; files are streamed into n8n's binary data store, so they take no memory.

export interface ResponseSettings {
	format: 'autodetect' | 'json' | 'text' | 'file';
	fullResponse: boolean;
	outputField: string;
	split: boolean;
	itemsPath: string;
	binaryProperty: string;
	/** The largest body accepted, after decompression. */
	maxBytes: number;
}

export type Body =
	{ kind: 'json'; value: unknown; raw: Buffer } | { kind: 'text'; value: string; raw: Buffer } | { kind: 'file'; binary: IBinaryData };

/** The answer was asked for as JSON but is not JSON. */
export class NotJsonError extends Error {
	constructor() {
		super('The answer is not valid JSON. Set the Response Format to Text or Autodetect.');
	}
}

const TEXT_TYPES = /^(text\/|application\/(xml|javascript|x-www-form-urlencoded)|[^;]*\+xml)/i;

const SIZE_HINT = "Raise Max Response Size in the node's Options, or ask the API for less (filters, pagination).";

/** How the body will be read, from the settings or else the Content-Type. */
function kindOf(answer: Answer, format: ResponseSettings['format']): 'json' | 'text' | 'file' | 'unknown' {
	const type = String(answer.headers?.['content-type'] ?? '');
	if (format !== 'autodetect') return format;
	if (/json/i.test(type)) return 'json';
	if (TEXT_TYPES.test(type)) return 'text';
	return type ? 'file' : 'unknown';
}

/** Reads an answer's body into memory, within the size limit (error answers, token-free). */
export async function readSmall(answer: Answer, maxBytes: number, what: string): Promise<Buffer> {
	return await readBody(answer.body, maxBytes, what, SIZE_HINT, answer.signal);
}

/** Reads the body as the settings (or the Content-Type) say. */
export async function readAnswer(
	ctx: IExecuteFunctions,
	answer: Answer,
	format: ResponseSettings['format'],
	settings: Pick<ResponseSettings, 'maxBytes'>,
	what: string,
): Promise<Body> {
	const kind = kindOf(answer, format);
	if (kind === 'file' || kind === 'unknown') {
		const mimeType = String(answer.headers?.['content-type'] || 'application/octet-stream')
			.split(';')[0]
			.trim();
		const body = Buffer.isBuffer(answer.body) ? answer.body : limitStream(answer.body, settings.maxBytes, what, SIZE_HINT, answer.signal);
		const binary = await ctx.helpers.prepareBinaryData(body as Buffer, fileName(answer), mimeType);
		// No Content-Type and nothing in the body: an empty answer, not a file.
		if (kind === 'unknown' && Number(binary.bytes ?? 0) === 0) return { kind: 'json', value: {}, raw: Buffer.alloc(0) };
		return { kind: 'file', binary };
	}
	const raw = await readSmall(answer, settings.maxBytes, what);
	if (kind === 'text') return { kind: 'text', value: raw.toString('utf8'), raw };
	if (raw.length === 0) return { kind: 'json', value: {}, raw };
	const text = raw.toString('utf8');
	const parsed = parseJson(text);
	if (parsed.ok) return { kind: 'json', value: parsed.value, raw };
	if (format === 'json') throw new NotJsonError();
	return { kind: 'text', value: text, raw };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

/** A file name from Content-Disposition (RFC 6266, with RFC 5987's filename*), else the URL. Never throws. */
export function fileName(answer: Pick<Answer, 'headers' | 'url'>): string {
	const disposition = String(answer.headers?.['content-disposition'] ?? '');
	const extended = /filename\*\s*=\s*([^';]*)'[^']*'([^;]+)/i.exec(disposition);
	if (extended) {
		const decoded = decodeExtended(extended[1].trim(), extended[2].trim().replace(/^"|"$/g, ''));
		if (decoded) return decoded;
	}
	const plain = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(disposition);
	const name = plain ? (plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2].trim()) : '';
	if (name) return name;
	const last = URL.canParse(answer.url) ? new URL(answer.url).pathname.split('/').filter(Boolean).pop() : undefined;
	return last || 'file';
}

/** RFC 5987 value: percent-encoded bytes in UTF-8 or ISO-8859-1; other charsets are not decoded. */
function decodeExtended(charset: string, value: string): string | undefined {
	const bytes: number[] = [];
	for (let i = 0; i < value.length; i++) {
		if (value[i] === '%' && /^[0-9a-f]{2}$/i.test(value.slice(i + 1, i + 3))) {
			bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
			i += 2;
		} else {
			bytes.push(value.charCodeAt(i) & 0xff);
		}
	}
	const buffer = Buffer.from(bytes);
	if (/^utf-?8$/i.test(charset)) {
		const text = buffer.toString('utf8');
		return text.includes('\ufffd') ? undefined : text;
	}
	if (/^(iso-8859-1|latin1|us-ascii)$/i.test(charset)) return buffer.toString('latin1');
	return undefined;
}

/** The array a page contributes, for "split" and for the "empty page" stop condition. */
export function itemsOf(body: Body, settings: Pick<ResponseSettings, 'itemsPath'>): unknown[] | undefined {
	if (body.kind !== 'json') return undefined;
	const value = settings.itemsPath ? readPath(body.value, settings.itemsPath) : body.value;
	return Array.isArray(value) ? value : undefined;
}

/** Output items of one answer (one page). */
export function outputItems(itemIndex: number, answer: Answer, body: Body, settings: ResponseSettings): INodeExecutionData[] {
	const pairedItem = { item: itemIndex };
	const binary = body.kind === 'file' ? { [settings.binaryProperty]: body.binary } : undefined;
	const value: unknown = body.kind === 'file' ? {} : body.value;
	const wrap = (json: unknown): IDataObject => {
		const object =
			json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as IDataObject) : { data: json as IDataObject };
		return settings.outputField ? { [settings.outputField]: json as IDataObject } : object;
	};
	if (settings.fullResponse) {
		const full = { statusCode: answer.statusCode, statusMessage: answer.statusMessage, headers: { ...answer.headers }, body: value };
		return [{ json: settings.outputField ? { [settings.outputField]: full as IDataObject } : (full as IDataObject), binary, pairedItem }];
	}
	const elements = settings.split ? itemsOf(body, settings) : undefined;
	if (elements) return elements.map((element) => ({ json: wrap(element), pairedItem }));
	return [{ json: wrap(value), binary, pairedItem }];
}
