import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import { assertHeader } from '../../credentials/common/headers';
import { resolveUrl } from '../../credentials/common/urls';
import type { ParameterReader } from '../shared/parameters';
import type { CallSession } from '../shared/session';

// Builds the request of one item from the node's parameters.

/** A name/value list of the node's parameters (values from expressions may be any JSON). */
function pairsOf(read: ParameterReader, parameter: string, itemIndex: number): Array<{ name: string; value: unknown }> {
	const collection = read<{ parameters?: Array<{ name: string; value: unknown }> }>(parameter, itemIndex, {});
	return (collection.parameters ?? []).filter((pair) => pair.name);
}

async function bodyOf(ctx: IExecuteFunctions, read: ParameterReader, itemIndex: number, headers: IDataObject): Promise<unknown> {
	if (!read('sendBody', itemIndex, false)) return undefined;
	const contentType = read('contentType', itemIndex, 'json') as string;
	if (contentType === 'json') {
		if (read<string>('jsonInput', itemIndex, 'fields') === 'json') {
			const json = read<unknown>('jsonBody', itemIndex, '{}');
			if (typeof json !== 'string') return json;
			try {
				return JSON.parse(json);
			} catch (error) {
				throw new NodeOperationError(ctx.getNode(), `The JSON body is not valid JSON: ${(error as Error).message}`, { itemIndex });
			}
		}
		return Object.fromEntries(pairsOf(read, 'bodyParameters', itemIndex).map((p) => [p.name, p.value]));
	}
	if (contentType === 'form') {
		return new URLSearchParams(pairsOf(read, 'bodyParameters', itemIndex).map((p): [string, string] => [p.name, String(p.value ?? '')]));
	}
	if (contentType === 'multipart') {
		const form = new FormData();
		const fields = (read('multipartParameters', itemIndex, {}) as { parameters?: IDataObject[] }).parameters ?? [];
		for (const field of fields) {
			if (!field.name) continue;
			if (field.type === 'binary') {
				const property = (field.binaryProperty as string) || 'data';
				const binary = ctx.helpers.assertBinaryData(itemIndex, property);
				const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
				form.append(field.name as string, new Blob([buffer], { type: binary.mimeType }), binary.fileName ?? property);
			} else {
				form.append(field.name as string, String(field.value ?? ''));
			}
		}
		return form;
	}
	if (contentType === 'raw') {
		headers['Content-Type'] = read('rawContentType', itemIndex, 'text/plain') as string;
		return read('rawBody', itemIndex, '') as string;
	}
	const property = read('binaryProperty', itemIndex, 'data') as string;
	const binary = ctx.helpers.assertBinaryData(itemIndex, property);
	headers['Content-Type'] = binary.mimeType || 'application/octet-stream';
	return await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
}

export async function buildRequest(
	ctx: IExecuteFunctions,
	read: ParameterReader,
	itemIndex: number,
	session: CallSession,
	ignoreSslIssues: boolean,
): Promise<IHttpRequestOptions> {
	const node = ctx.getNode();
	const method = read('method', itemIndex, 'GET') as string;
	let url: string;
	try {
		url = resolveUrl(session.credentialData.baseUrl as string, read<string>('url', itemIndex), 'URL');
	} catch (error) {
		throw new NodeOperationError(node, error as Error, { itemIndex });
	}
	const headers: IDataObject = {};
	if (read('sendHeaders', itemIndex, false)) {
		for (const { name, value } of pairsOf(read, 'headerParameters', itemIndex)) {
			try {
				assertHeader(name.trim(), String(value ?? ''), 'Headers');
			} catch (error) {
				throw new NodeOperationError(node, error as Error, { itemIndex });
			}
			headers[name.trim()] = String(value ?? '');
		}
	}
	const qs = read('sendQuery', itemIndex, false)
		? (Object.fromEntries(pairsOf(read, 'queryParameters', itemIndex).map((p) => [p.name, p.value])) as IDataObject)
		: undefined;
	const options: IHttpRequestOptions = {
		url,
		method: method as IHttpRequestMethods,
		headers,
		qs,
		body: (await bodyOf(ctx, read, itemIndex, headers)) as IHttpRequestOptions['body'],
	};
	if (ignoreSslIssues) options.skipSslCertificateValidation = true;
	return options;
}
