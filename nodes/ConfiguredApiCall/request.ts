import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import { assertHeader } from '../../credentials/common/headers';
import { resolveUrl } from '../../credentials/common/urls';
import type { CallSession } from '../shared/session';

// Builds the request of one item from the node's parameters.

type Pair = { name: string; value: unknown };

function pairsOf(ctx: IExecuteFunctions, parameter: string, itemIndex: number): Pair[] {
	const collection = ctx.getNodeParameter(parameter, itemIndex, {}) as { parameters?: Pair[] };
	return (collection.parameters ?? []).filter((pair) => pair.name);
}

export interface CallSettings {
	timeoutMs: number;
	followRedirects: boolean;
	ignoreSslIssues: boolean;
}

async function bodyOf(ctx: IExecuteFunctions, itemIndex: number, headers: IDataObject): Promise<unknown> {
	if (!ctx.getNodeParameter('sendBody', itemIndex, false)) return undefined;
	const contentType = ctx.getNodeParameter('contentType', itemIndex, 'json') as string;
	if (contentType === 'json') {
		if (ctx.getNodeParameter('jsonInput', itemIndex, 'fields') === 'json') {
			const json = ctx.getNodeParameter('jsonBody', itemIndex, '{}');
			if (typeof json !== 'string') return json;
			try {
				return JSON.parse(json);
			} catch (error) {
				throw new NodeOperationError(ctx.getNode(), `The JSON body is not valid JSON: ${(error as Error).message}`, { itemIndex });
			}
		}
		return Object.fromEntries(pairsOf(ctx, 'bodyParameters', itemIndex).map((p) => [p.name, p.value]));
	}
	if (contentType === 'form') {
		return new URLSearchParams(pairsOf(ctx, 'bodyParameters', itemIndex).map((p): [string, string] => [p.name, String(p.value ?? '')]));
	}
	if (contentType === 'multipart') {
		const form = new FormData();
		const fields = (ctx.getNodeParameter('multipartParameters', itemIndex, {}) as { parameters?: IDataObject[] }).parameters ?? [];
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
		headers['Content-Type'] = ctx.getNodeParameter('rawContentType', itemIndex, 'text/plain') as string;
		return ctx.getNodeParameter('rawBody', itemIndex, '') as string;
	}
	const property = ctx.getNodeParameter('binaryProperty', itemIndex, 'data') as string;
	const binary = ctx.helpers.assertBinaryData(itemIndex, property);
	headers['Content-Type'] = binary.mimeType || 'application/octet-stream';
	return await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
}

export async function buildRequest(
	ctx: IExecuteFunctions,
	itemIndex: number,
	session: CallSession,
	settings: CallSettings,
): Promise<IHttpRequestOptions> {
	const node = ctx.getNode();
	const method = ctx.getNodeParameter('method', itemIndex, 'GET') as string;
	let url: string;
	try {
		url = resolveUrl(session.credentialData.baseUrl as string, ctx.getNodeParameter('url', itemIndex) as string, 'URL');
	} catch (error) {
		throw new NodeOperationError(node, error as Error, { itemIndex });
	}
	const headers: IDataObject = {};
	if (ctx.getNodeParameter('sendHeaders', itemIndex, false)) {
		for (const { name, value } of pairsOf(ctx, 'headerParameters', itemIndex)) {
			try {
				assertHeader(name.trim(), String(value ?? ''), 'Headers');
			} catch (error) {
				throw new NodeOperationError(node, error as Error, { itemIndex });
			}
			headers[name.trim()] = String(value ?? '');
		}
	}
	const qs = ctx.getNodeParameter('sendQuery', itemIndex, false)
		? (Object.fromEntries(pairsOf(ctx, 'queryParameters', itemIndex).map((p) => [p.name, p.value])) as IDataObject)
		: undefined;
	const options: IHttpRequestOptions = {
		url,
		method: method as IHttpRequestMethods,
		headers,
		qs,
		body: (await bodyOf(ctx, itemIndex, headers)) as IHttpRequestOptions['body'],
		encoding: 'arraybuffer',
		json: false,
		returnFullResponse: true,
		// Error statuses come back as responses, except those after which n8n refreshes the
		// credential: those must throw so that n8n can refresh and send the call again.
		ignoreHttpStatusErrors: session.refreshOn.length ? { ignore: true, except: session.refreshOn } : true,
		timeout: settings.timeoutMs,
	};
	if (!settings.followRedirects) options.disableFollowRedirect = true;
	if (settings.ignoreSslIssues) options.skipSslCertificateValidation = true;
	return options;
}
