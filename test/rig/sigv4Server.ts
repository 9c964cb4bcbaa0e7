// An AWS-style API on 127.0.0.1 that checks every request's Signature V4 with AWS's own signer
// (@smithy/signature-v4) as the oracle: it recomputes the signature from the request as received
// (method, raw path, query, the headers named in SignedHeaders, the body's hash) and answers 403
// with AWS's error code and the reason when it differs, like AWS does. Requests it accepts are
// recorded, with the decoded path and query, and answered 200 with what was understood.
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listen, readBody, type TlsMode } from './http.ts';

export interface AwsAccount {
	secretAccessKey: string;
	/** When set, requests must carry this X-Amz-Security-Token. */
	sessionToken?: string;
}

export interface VerifiedRequest {
	method: string;
	/** The path as received (encoded) and decoded. */
	rawPath: string;
	path: string;
	query: Array<[string, string]>;
	headers: Record<string, string | string[] | undefined>;
	body: Buffer;
	service: string;
	region: string;
	signedHeaders: string[];
}

export interface Refusal {
	code: string;
	reason: string;
}

export interface SigV4Server {
	url: string;
	accepted: VerifiedRequest[];
	refused: Refusal[];
	/** Every request that reached the server, signed or not, with its headers. */
	seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }>;
	/** Answers a verified request below a path prefix with a redirect (status, Location). */
	redirects: Map<string, { status: number; location: string }>;
	close(): Promise<void>;
}

/** Percent-decoding as AWS reads a request line: bytes, then UTF-8. */
export function decodeComponent(text: string): string {
	return Buffer.from(
		text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
		'latin1',
	).toString('utf8');
}

function parseQuery(raw: string): Array<[string, string]> {
	if (!raw) return [];
	return raw.split('&').map((pair) => {
		const at = pair.indexOf('=');
		return at < 0 ? [decodeComponent(pair), ''] : [decodeComponent(pair.slice(0, at)), decodeComponent(pair.slice(at + 1))];
	});
}

function signingDate(amzDate: string): Date | undefined {
	const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
	return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/** Recomputes the request's signature with @smithy/signature-v4; undefined when it matches. */
export async function verify(
	accounts: Record<string, AwsAccount>,
	req: { method: string; url: string; headers: IncomingMessage['headers'] },
	body: Buffer,
	now = new Date(),
): Promise<(Refusal & { status: number }) | { request: VerifiedRequest }> {
	const refuse = (status: number, code: string, reason: string) => ({ status, code, reason });
	const header = String(req.headers.authorization ?? '');
	const parsed =
		/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
			header,
		);
	if (!parsed) return refuse(400, 'IncompleteSignature', 'no well-formed AWS4-HMAC-SHA256 Authorization header');
	const [, keyId, shortDate, region, service, signedList, signature] = parsed;
	const account = accounts[keyId];
	if (!account) return refuse(403, 'InvalidClientTokenId', 'unknown access key id');
	const amzDate = String(req.headers['x-amz-date'] ?? '');
	const date = signingDate(amzDate);
	if (!date || amzDate.slice(0, 8) !== shortDate)
		return refuse(403, 'IncompleteSignature', 'X-Amz-Date missing or not the credential scope date');
	if (Math.abs(date.getTime() - now.getTime()) > 15 * 60_000)
		return refuse(403, 'RequestTimeTooSkewed', 'signing time more than 15 minutes off');
	const signedHeaders = signedList.split(';');
	for (const required of ['host', 'x-amz-date']) {
		if (!signedHeaders.includes(required)) return refuse(403, 'SignatureDoesNotMatch', `${required} is not signed`);
	}
	const token = req.headers['x-amz-security-token'];
	if (account.sessionToken !== undefined && token !== account.sessionToken)
		return refuse(403, 'InvalidToken', 'session token missing or wrong');
	if (token !== undefined && !signedHeaders.includes('x-amz-security-token'))
		return refuse(403, 'SignatureDoesNotMatch', 'session token not signed');
	const claimed = req.headers['x-amz-content-sha256'];
	const actual = createHash('sha256').update(body).digest('hex');
	if (service === 's3' && claimed === undefined) return refuse(400, 'InvalidRequest', 'S3 requires x-amz-content-sha256');
	if (claimed !== undefined && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== actual) {
		return refuse(400, 'XAmzContentSHA256Mismatch', 'x-amz-content-sha256 is not the hash of the body received');
	}
	const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s);
	const query = parseQuery(rawQuery);
	const queryObject: Record<string, string | string[]> = {};
	for (const [name, value] of query) {
		const existing = queryObject[name];
		queryObject[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
	}
	const headers: Record<string, string> = {};
	for (const name of signedHeaders) {
		const value = req.headers[name];
		if (value === undefined) return refuse(403, 'SignatureDoesNotMatch', `signed header ${name} was not received`);
		headers[name] = Array.isArray(value) ? value.join(',') : value;
	}
	const signer = new SignatureV4({
		credentials: {
			accessKeyId: keyId,
			secretAccessKey: account.secretAccessKey,
			sessionToken: typeof token === 'string' ? token : undefined,
		},
		region,
		service,
		sha256: Hash.bind(null, 'sha256'),
		uriEscapePath: service !== 's3',
		applyChecksum: false,
	});
	const [host, port] = String(req.headers.host).split(/:(?=\d+$)/);
	const expected = await signer.sign(
		{
			method: req.method,
			protocol: 'http:',
			hostname: host,
			port: port ? Number(port) : undefined,
			path: rawPath,
			query: queryObject,
			headers,
			body: claimed === undefined ? (body.length ? body : undefined) : undefined,
		},
		{ signingDate: date },
	);
	if (!String(expected.headers.authorization).endsWith(`Signature=${signature}`) || expected.headers.authorization !== header) {
		return refuse(403, 'SignatureDoesNotMatch', `expected ${expected.headers.authorization}`);
	}
	return {
		request: {
			method: req.method,
			rawPath,
			path: rawPath.split('/').map(decodeComponent).join('/'),
			query,
			headers: req.headers,
			body,
			service,
			region,
			signedHeaders,
		},
	};
}

function xml(res: ServerResponse, status: number, code: string, message: string) {
	res.writeHead(status, { 'content-type': 'application/xml' });
	res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message.replace(/[<&]/g, '_')}</Message></Error>`);
}

/** `answer` adds fields to the 200 answer of an accepted request (e.g. a next-page link). */
export async function startSigV4Server(
	accounts: Record<string, AwsAccount>,
	options: { tls?: TlsMode; answer?: (request: VerifiedRequest) => Record<string, unknown> } = {},
): Promise<SigV4Server> {
	const accepted: VerifiedRequest[] = [];
	const refused: Refusal[] = [];
	const seen: SigV4Server['seen'] = [];
	const redirects = new Map<string, { status: number; location: string }>();
	const listening = await listen(options.tls ?? 'none', (req, res) => {
		void (async () => {
			const body = await readBody(req);
			const request = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
			seen.push({ ...request, body });
			const outcome = await verify(accounts, request, body);
			if ('request' in outcome) {
				accepted.push(outcome.request);
				// Redirects are answered only to signed requests that verify, as an AWS API would.
				for (const [prefix, redirect] of redirects) {
					if (request.url.startsWith(prefix)) {
						res.writeHead(redirect.status, { location: redirect.location });
						return res.end();
					}
				}
				res.writeHead(200, { 'content-type': 'application/json' });
				return res.end(
					JSON.stringify({
						ok: true,
						method: outcome.request.method,
						path: outcome.request.path,
						query: outcome.request.query,
						signedHeaders: outcome.request.signedHeaders,
						contentType: req.headers['content-type'] ?? null,
						bodyLength: body.length,
						bodySha256: createHash('sha256').update(body).digest('hex'),
						...options.answer?.(outcome.request),
					}),
				);
			}
			refused.push({ code: outcome.code, reason: outcome.reason });
			xml(res, outcome.status, outcome.code, outcome.reason);
		})().catch((error: unknown) => {
			res.writeHead(500);
			res.end(String(error));
		});
	});
	return { url: listening.url, accepted, refused, seen, redirects, close: listening.close };
}
