import { createHash, createHmac } from 'crypto';

// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
// the canonical request, the string to sign, the signing key and the Authorization header, from
// a request described exactly as it goes on the wire. Pure: no I/O, the time is an argument.

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface SigningKeys {
	accessKeyId: string;
	secretAccessKey: string;
}

export interface SignedRequest {
	method: string;
	/** The path as sent, already encoded by `encodePath`. */
	path: string;
	/** The query as name/value pairs, decoded. */
	query: ReadonlyArray<readonly [string, string]>;
	/** The headers to sign, by lower-case name (host, x-amz-date, ...). */
	headers: Readonly<Record<string, string>>;
	/** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD. */
	payloadHash: string;
}

export interface Scope {
	region: string;
	service: string;
	/** YYYYMMDD'T'HHMMSS'Z' */
	amzDate: string;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 encoding as AWS wants it: only A-Z a-z 0-9 - . _ ~ stay as they are, every other byte is %XX (upper case). */
export function awsEncode(text: string | Uint8Array): string {
	let out = '';
	for (const byte of typeof text === 'string' ? Buffer.from(text, 'utf8') : text) {
		const char = String.fromCharCode(byte);
		out += byte < 0x80 && UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
	}
	return out;
}

/** The bytes a URL component stands for: %XX as its byte, anything else as UTF-8; a "%" without two hex digits is itself. */
export function percentBytes(text: string): Buffer {
	const parts: Buffer[] = [];
	let last = 0;
	for (const match of text.matchAll(/%[0-9a-fA-F]{2}/g)) {
		parts.push(Buffer.from(text.slice(last, match.index), 'utf8'), Buffer.from([parseInt(match[0].slice(1), 16)]));
		last = match.index + 3;
	}
	parts.push(Buffer.from(text.slice(last), 'utf8'));
	return Buffer.concat(parts);
}

/** A URL path re-encoded segment by segment, byte for byte, so that what is sent and what is signed are the same. */
export function encodePath(path: string): string {
	return path
		.split('/')
		.map((segment) => awsEncode(percentBytes(segment)))
		.join('/');
}

/**
 * The canonical URI. S3 signs the path as sent; every other service signs it normalised
 * (no empty or dot segments) and encoded a second time.
 */
export function canonicalPath(path: string, service: string): string {
	if (service === 's3') return path || '/';
	const segments: string[] = [];
	for (const segment of path.split('/')) {
		if (segment === '' || segment === '.') continue;
		if (segment === '..') segments.pop();
		else segments.push(segment);
	}
	const normalised = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
	return normalised
		.split('/')
		.map((segment) => awsEncode(segment))
		.join('/');
}

/** Name/value pairs encoded and sorted by name, then value (byte order of the encoded text). */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
	return query
		.map(([name, value]) => [awsEncode(name), awsEncode(value)] as const)
		.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
		.map(([name, value]) => `${name}=${value}`)
		.join('&');
}

/** The query as it is sent: the same encoding, in the caller's order. */
export function wireQuery(query: ReadonlyArray<readonly [string, string]>): string {
	return query.map(([name, value]) => `${awsEncode(name)}=${awsEncode(value)}`).join('&');
}

function trimValue(value: string): string {
	return value.trim().replace(/\s+/g, ' ');
}

export function signedHeaderNames(headers: Readonly<Record<string, string>>): string {
	return Object.keys(headers)
		.map((name) => name.toLowerCase())
		.sort()
		.join(';');
}

export function canonicalRequest(request: SignedRequest, service: string): string {
	const names = Object.keys(request.headers).sort();
	return [
		request.method.toUpperCase(),
		canonicalPath(request.path, service),
		canonicalQuery(request.query),
		...names.map((name) => `${name}:${trimValue(request.headers[name])}`),
		'',
		signedHeaderNames(request.headers),
		request.payloadHash,
	].join('\n');
}

export function credentialScope(scope: Scope): string {
	return `${scope.amzDate.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`;
}

export function stringToSign(canonical: string, scope: Scope): string {
	return [ALGORITHM, scope.amzDate, credentialScope(scope), sha256Hex(canonical)].join('\n');
}

export function signingKey(secretAccessKey: string, scope: Omit<Scope, 'amzDate'> & { date: string }): Buffer {
	const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
	const dateKey = hmac(`AWS4${secretAccessKey}`, scope.date);
	return hmac(hmac(hmac(dateKey, scope.region), scope.service), 'aws4_request');
}

export function sha256Hex(data: string | Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

/**
 * The Authorization header value of a request. The request's headers must already hold x-amz-date
 * (and host). `key` is the signing key of the scope, when the caller keeps it (it changes daily).
 */
export function authorization(
	keys: SigningKeys,
	request: SignedRequest,
	scope: Scope,
	key = signingKey(keys.secretAccessKey, { date: scope.amzDate.slice(0, 8), region: scope.region, service: scope.service }),
): string {
	const toSign = stringToSign(canonicalRequest(request, scope.service), scope);
	const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
	return `${ALGORITHM} Credential=${keys.accessKeyId}/${credentialScope(scope)}, SignedHeaders=${signedHeaderNames(request.headers)}, Signature=${signature}`;
}

/** 2015-08-30T12:36:00.000Z -> 20150830T123600Z */
export function amzDate(date: Date): string {
	return date
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d{3}/, '');
}
