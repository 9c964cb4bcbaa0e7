import { UserError, type ICredentialDataDecryptedObject, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';

import { requestUrl } from './boundary';
import { formatBytes } from './transport';
import { amzDate, authorization, encodePath, sha256Hex, signingKey, UNSIGNED_PAYLOAD, wireQuery } from './sigv4';

// Turns a request as n8n hands it to a credential into the request that goes on the wire, and
// signs that one (AWS Signature V4). n8n's request layer (axios) would serialise the query, the
// body and some headers after authenticate() has run; a signature over anything else than the
// final bytes fails. So the query is written into the URL here (AWS's encoding), the body becomes
// the bytes that are sent (a Buffer; a string where n8n's legacy layer needs one), and only
// headers whose final value is known are signed: host, x-amz-*, content-type when set here.
// Both of n8n's request shapes come through here: IHttpRequestOptions (url, qs, body) from
// Configured API Call and the Test button, the legacy one (uri, qs, body, form, formData,
// qsStringifyOptions, useQuerystring) from n8n's HTTP Request node.

/** The largest stream body read into memory to be signed. */
export const MAX_SIGNED_STREAM = 64 * 1024 * 1024;

type Options = IHttpRequestOptions & {
	uri?: string;
	form?: unknown;
	formData?: unknown;
	qsStringifyOptions?: { arrayFormat?: string };
	useQuerystring?: boolean;
};

type ArrayFormat = 'brackets' | 'indices' | 'repeat' | 'comma';

export interface AwsSettings {
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken: string;
	region: string;
	service: string;
	unsignedPayload: boolean;
}

/** The signing settings of a credential; throws a message saying which field to fill. */
export function awsSettings(credentials: ICredentialDataDecryptedObject): AwsSettings {
	const text = (name: string) => String(credentials[name] ?? '').trim();
	const settings = {
		accessKeyId: text('accessKeyId'),
		secretAccessKey: String(credentials.secretAccessKey ?? ''),
		sessionToken: text('sessionToken'),
		region: text('region'),
		service: text('service').toLowerCase(),
		unsignedPayload: credentials.payloadSigning === 'unsigned',
	};
	const missing = [
		['Access Key ID', settings.accessKeyId],
		['Secret Access Key', settings.secretAccessKey],
		['Region', settings.region],
		['Service Name', settings.service],
	].find(([, value]) => !value);
	if (missing) throw new UserError(`AWS Signature V4: the ${missing[0]} is empty. Fill it in the credential.`);
	if (/[\s/]/.test(settings.region) || /[\s/]/.test(settings.service)) {
		throw new UserError('AWS Signature V4: the Region and the Service Name are single words such as eu-west-1 and s3 (no spaces or "/").');
	}
	return settings;
}

/** Query parameters as the request layer would write them, as name/value pairs. */
export function queryPairs(qs: unknown, format: ArrayFormat): Array<[string, string]> {
	const pairs: Array<[string, string]> = [];
	const add = (name: string, value: unknown) => {
		if (value === undefined || value === null) return;
		if (value instanceof Date) pairs.push([name, value.toISOString()]);
		else if (Array.isArray(value)) {
			if (format === 'comma') pairs.push([name, value.map((item) => scalar(item)).join(',')]);
			else value.forEach((item, index) => add(format === 'repeat' ? name : format === 'indices' ? `${name}[${index}]` : `${name}[]`, item));
		} else if (typeof value === 'object') {
			for (const [key, inner] of Object.entries(value as IDataObject)) add(`${name}[${key}]`, inner);
		} else pairs.push([name, String(value)]);
	};
	if (qs && typeof qs === 'object') for (const [name, value] of Object.entries(qs as IDataObject)) add(name, value);
	return pairs;
}

function scalar(value: unknown): string {
	return value && typeof value === 'object' ? JSON.stringify(value) : String(value ?? '');
}

/** The array format the request layer would use for the query (see n8n's legacy and current adapters). */
function arrayFormatOf(options: Options, legacy: boolean): ArrayFormat {
	const requested = (options.arrayFormat ?? options.qsStringifyOptions?.arrayFormat) as ArrayFormat | undefined;
	if (requested) return requested;
	if (legacy && options.useQuerystring === true) return 'repeat';
	if (legacy && options.useQuerystring === false) return 'indices';
	return 'brackets';
}

/** A form body written as the request layer writes one (qs: RFC 3986, nested names in brackets). */
function formText(form: unknown, format: ArrayFormat): string {
	if (typeof form === 'string') return form;
	if (form instanceof URLSearchParams) return form.toString();
	return wireQuery(queryPairs(form, format));
}

function headerName(headers: IDataObject, name: string): string | undefined {
	return Object.keys(headers).find((key) => key.toLowerCase() === name);
}

function isStream(body: unknown): body is AsyncIterable<Uint8Array | string> {
	return !!body && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function' && Symbol.asyncIterator in body;
}

/** The `form-data` package's object (n8n's HTTP Request node's multipart body). */
function isFormDataPackage(body: unknown): body is { getBuffer(): Buffer; getHeaders(): Record<string, string> } {
	const form = body as { getHeaders?: unknown; append?: unknown; getBuffer?: unknown } | undefined;
	return !!form && typeof form.getHeaders === 'function' && typeof form.append === 'function' && typeof form.getBuffer === 'function';
}

/** The bytes of a `form-data` object, or undefined when it holds a stream (which only sending reads). */
function bufferOf(form: { getBuffer(): Buffer }): Buffer | undefined {
	try {
		return form.getBuffer();
	} catch {
		return undefined;
	}
}

async function readStream(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of stream) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
		total += buffer.length;
		if (total > MAX_SIGNED_STREAM) {
			(stream as { destroy?: () => void }).destroy?.();
			throw new UserError(
				`AWS Signature V4: the body is larger than ${formatBytes(MAX_SIGNED_STREAM)}, too large to be read into memory and signed. For S3, set the credential's Payload Signing to Unsigned Payload, which sends it as a stream.`,
			);
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks, total);
}

interface Payload {
	/** The bytes that are sent (their hash is signed). */
	bytes: Buffer;
	/** Content-Type to set and sign, when this module decides it. */
	contentType?: string;
	/** A multipart object the request layer streams itself (its bytes are `bytes`). */
	formData?: unknown;
}

/** The body as the bytes that go on the wire. */
async function payloadOf(options: Options, headers: IDataObject, legacy: boolean): Promise<Payload> {
	const format = arrayFormatOf(options, legacy);
	const contentTypeKey = headerName(headers, 'content-type');
	const declared = contentTypeKey ? String(headers[contentTypeKey]) : undefined;
	const form = options.form;
	const formData = options.formData;
	let body: unknown = options.body;
	if (formData !== undefined && formData !== null) {
		if (!isFormDataPackage(formData)) {
			throw new UserError(
				'AWS Signature V4: this multipart body (a plain object) cannot be signed. Use Configured API Call, or n8n HTTP Request node version 4.2 or later.',
			);
		}
		body = formData;
	}
	if (form !== undefined && (body === undefined || body === null)) {
		const bytes = Buffer.from(formText(form, legacy ? 'indices' : format), 'utf8');
		return { bytes, contentType: 'application/x-www-form-urlencoded' };
	}
	if (body === undefined || body === null || body === '') return { bytes: Buffer.alloc(0) };
	if (isFormDataPackage(body)) {
		const bytes = bufferOf(body);
		if (!bytes) {
			throw new UserError(
				'AWS Signature V4: this multipart body holds a file stream, which cannot be signed without reading it twice. For S3, set the credential\'s Payload Signing to Unsigned Payload; otherwise send the file as "n8n Binary File" from Configured API Call.',
			);
		}
		// The request layer sends the same object; its Content-Type carries the same boundary.
		return { bytes, contentType: body.getHeaders()['content-type'], formData: body };
	}
	if (typeof FormData !== 'undefined' && body instanceof FormData) {
		// Serialised here, so that the boundary, and with it every byte, is known.
		const encoded = new Response(body);
		const bytes = Buffer.from(await encoded.arrayBuffer());
		if (legacy) {
			throw new UserError(
				'AWS Signature V4: a web FormData body cannot be sent through the legacy request helper. Use Configured API Call.',
			);
		}
		return { bytes, contentType: encoded.headers.get('content-type') ?? undefined };
	}
	if (body instanceof URLSearchParams) {
		const bytes = Buffer.from(body.toString(), 'utf8');
		return { bytes, contentType: declared ?? 'application/x-www-form-urlencoded' };
	}
	if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8'), contentType: declared };
	if (Buffer.isBuffer(body) || body instanceof Uint8Array || body instanceof ArrayBuffer) {
		return { bytes: Buffer.from(body as Uint8Array), contentType: declared };
	}
	if (isStream(body)) return { bytes: await readStream(body), contentType: declared };
	if (typeof body === 'object') {
		if (declared?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
			return { bytes: Buffer.from(formText(body, format), 'utf8'), contentType: declared };
		}
		return { bytes: Buffer.from(JSON.stringify(body), 'utf8'), contentType: declared ?? 'application/json' };
	}
	return { bytes: Buffer.from(String(body), 'utf8'), contentType: declared };
}

/**
 * The body as the request layer must get it to send exactly `bytes`: a Buffer, which it sends as
 * it is, except where n8n's legacy layer rebuilds bodies by their Content-Type.
 */
function wireBody(payload: Payload, legacy: boolean): unknown {
	const type = payload.contentType ?? '';
	// Both layers rebuild a body sent with exactly this Content-Type unless it is a string.
	if (type === 'application/x-www-form-urlencoded') {
		const text = payload.bytes.toString('utf8');
		if (!Buffer.from(text, 'utf8').equals(payload.bytes)) {
			throw new UserError('AWS Signature V4: a form-urlencoded body must be UTF-8 text. Send these bytes with another Content-Type.');
		}
		return text;
	}
	if (legacy && type.includes('multipart/form-data')) {
		throw new UserError(
			'AWS Signature V4: a multipart body given as raw bytes cannot be sent through this request helper. Use the multipart body type.',
		);
	}
	return payload.bytes;
}

/** The signing key of a credentials object for a day: n8n hands the same object to every call of an execution. */
const signingKeys = new WeakMap<object, { scope: string; secret: string; key: Buffer }>();

function keyOf(credentials: object, settings: AwsSettings, amzDate: string): Buffer {
	const scope = `${amzDate.slice(0, 8)}/${settings.region}/${settings.service}`;
	const kept = signingKeys.get(credentials);
	if (kept?.scope === scope && kept.secret === settings.secretAccessKey) return kept.key;
	const key = signingKey(settings.secretAccessKey, { date: amzDate.slice(0, 8), region: settings.region, service: settings.service });
	signingKeys.set(credentials, { scope, secret: settings.secretAccessKey, key });
	return key;
}

/** Header names this module sets: any value the caller gave for them is replaced. */
const OWN = new Set(['authorization', 'host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token']);

/**
 * The request as it will be sent, signed. `now` is the signing time.
 */
export async function signAwsRequest(
	credentials: ICredentialDataDecryptedObject,
	input: IHttpRequestOptions,
	now = new Date(),
): Promise<IHttpRequestOptions> {
	const settings = awsSettings(credentials);
	const options = input as Options;
	const legacy = 'uri' in options && options.uri !== undefined;
	const url = new URL(requestUrl(options));
	const method = String(options.method ?? 'GET').toUpperCase();
	const query: Array<[string, string]> = [...url.searchParams, ...queryPairs(options.qs, arrayFormatOf(options, legacy))];
	const path = encodePath(url.pathname);
	const finalUrl = `${url.origin}${path}${query.length ? `?${wireQuery(query)}` : ''}`;

	const headers: IDataObject = {};
	for (const [name, value] of Object.entries(options.headers ?? {})) {
		if (!OWN.has(name.toLowerCase()) && value !== undefined) headers[name] = value;
	}
	const noBody = method === 'GET' || method === 'HEAD';
	const s3 = settings.service === 's3';

	let payloadHash = UNSIGNED_PAYLOAD;
	let payload: Payload | undefined;
	if (noBody) payload = { bytes: Buffer.alloc(0) };
	else if (!settings.unsignedPayload) payload = await payloadOf(options, headers, legacy);
	if (payload) payloadHash = sha256Hex(payload.bytes);

	const signed: Record<string, string> = { host: url.host, 'x-amz-date': amzDate(now) };
	if (s3 || settings.unsignedPayload) signed['x-amz-content-sha256'] = payloadHash;
	if (settings.sessionToken) signed['x-amz-security-token'] = settings.sessionToken;
	if (payload?.contentType !== undefined) {
		const key = headerName(headers, 'content-type');
		if (key) delete headers[key];
		signed['content-type'] = payload.contentType;
	}
	// Every x-amz-* header the caller set is part of the request's meaning (S3 requires them signed).
	for (const [name, value] of Object.entries(headers)) {
		const lower = name.toLowerCase();
		if (lower.startsWith('x-amz-') || lower === 'content-md5') {
			delete headers[name];
			signed[lower] = String(value);
		}
	}
	const { host: _host, ...sent } = signed;
	const scope = { region: settings.region, service: settings.service, amzDate: signed['x-amz-date'] };
	const auth = authorization(
		settings,
		{ method, path, query, headers: signed, payloadHash },
		scope,
		keyOf(credentials, settings, scope.amzDate),
	);

	const result: Options = {
		...options,
		url: finalUrl,
		baseURL: undefined,
		qs: undefined,
		arrayFormat: undefined,
		qsStringifyOptions: undefined,
		useQuerystring: undefined,
		headers: { ...headers, ...sent, Authorization: auth },
	};
	if (legacy) result.uri = finalUrl;
	if (noBody) {
		result.body = undefined;
		result.form = undefined;
		result.formData = undefined;
	} else if (payload) {
		result.form = undefined;
		// The legacy layer streams a multipart object from formData, the current one from body.
		result.formData = legacy ? payload.formData : undefined;
		if (payload.formData !== undefined) result.body = legacy ? undefined : (payload.formData as IHttpRequestOptions['body']);
		else result.body = payload.bytes.length === 0 ? undefined : (wireBody(payload, legacy) as IHttpRequestOptions['body']);
	}
	return result as IHttpRequestOptions;
}
