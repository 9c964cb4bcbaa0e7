import { UserError, type IDataObject, type IHttpRequestOptions } from 'n8n-workflow';

import { carriesSecrets, originOf, outsideReason, type Boundary } from './boundary';
import { containsSecret, displayUrl, redact } from './messages';

// How every request of the package travels: one hop at a time (n8n's layer never follows a
// redirect for us), each hop asking the boundary whether secrets may go with it, under one
// deadline for the whole answer, with a size limit on every body it reads.

/** One HTTP answer whose body has not been read yet. */
export interface Answer {
	/** The URL that gave this answer (after any redirects). */
	url: string;
	statusCode: number;
	statusMessage?: string;
	headers: Record<string, string>;
	/** A readable stream as n8n's layer returns it with `encoding: 'stream'`, or a buffer or text. */
	body: unknown;
	/** What ends reading the body (the call's deadline and Stop), when it cannot reach the body itself. */
	signal?: AbortSignal;
}

/** Sends one request without following redirects; `secrets` says whether it may carry them. */
export type SendOne = (options: IHttpRequestOptions, secrets: boolean) => Promise<Answer>;

export interface FollowPolicy {
	boundary: Boundary;
	/** Whether 3xx answers are followed at all. */
	follow: boolean;
	/** A hop outside the boundary: go on without secrets, or stop with an error. */
	crossOrigin: 'strip' | 'error';
	maxRedirects?: number;
	/** "GET https://api.example.com/x", "The token request", ... for messages. */
	what: string;
	/**
	 * The credential's secret values. A URL outside the boundary that carries one (a Location or
	 * next-page link repeating the query string) loses those query parameters, or, when a
	 * secret is elsewhere in it, is not sent at all.
	 */
	secrets?: () => readonly string[];
}

export const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers a caller may have set that must not go to another origin. */
const SENSITIVE = /^(authorization|proxy-authorization|cookie)$/i;

/** Throws away a body that will not be read, so that its connection is released. */
export function discard(body: unknown): void {
	const stream = body as { destroy?: () => void } | undefined;
	if (stream && typeof stream.destroy === 'function') stream.destroy();
}

function withoutSensitiveHeaders(headers: IDataObject | undefined): IDataObject | undefined {
	if (!headers) return headers;
	return Object.fromEntries(Object.entries(headers).filter(([name]) => !SENSITIVE.test(name)));
}

/** A URL for a hop outside the boundary: without query parameters that hold a secret; undefined when a secret is elsewhere in it. */
function withoutSecrets(url: string, secrets: readonly string[] | undefined): string | undefined {
	if (!secrets?.length || !URL.canParse(url)) return url;
	const parsed = new URL(url);
	for (const [name, value] of [...parsed.searchParams]) {
		if (containsSecret(`${name}=${value}`, secrets)) parsed.searchParams.delete(name);
	}
	const clean = parsed.toString();
	return containsSecret(clean, secrets) || containsSecret(safeDecode(clean), secrets) ? undefined : clean;
}

function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** The request of the next hop, as browsers and n8n build it. */
function nextHop(request: IHttpRequestOptions, status: number, url: string): IHttpRequestOptions {
	const method = (request.method ?? 'GET').toUpperCase();
	const toGet = (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
	const headers = toGet
		? Object.fromEntries(Object.entries(request.headers ?? {}).filter(([name]) => !/^content-/i.test(name)))
		: request.headers;
	return { ...request, url, baseURL: undefined, qs: undefined, headers, ...(toGet ? { method: 'GET', body: undefined } : {}) };
}

/**
 * Sends `first` and follows its redirects. Each hop carries secrets only inside the boundary;
 * a hop outside it goes on without them (and without any Authorization or Cookie header the
 * caller set), or stops with an error, as the policy says.
 */
export async function sendFollowing(first: IHttpRequestOptions, send: SendOne, policy: FollowPolicy): Promise<Answer> {
	const maxRedirects = policy.maxRedirects ?? MAX_REDIRECTS;
	let request = first;
	for (let hop = 0; ; hop++) {
		const inside = carriesSecrets(policy.boundary, request.url);
		if (!inside && policy.crossOrigin === 'error') {
			const reason = outsideReason(policy.boundary, request.url);
			throw new UserError(
				hop === 0
					? `${policy.what}: nothing was sent, because ${reason}.`
					: `${policy.what} was redirected to ${displayUrl(request.url)}, and ${reason}. Nothing was sent there.`,
			);
		}
		let outgoing = request;
		if (!inside) {
			// Read at each hop: a token fetched during the first hop is a secret from then on.
			const secrets = policy.secrets?.();
			const url = withoutSecrets(request.url, secrets);
			if (url === undefined) {
				throw new UserError(
					`${policy.what}: ${hop === 0 ? 'the URL' : 'the redirect to'} ${redact(displayUrl(request.url), secrets ?? [])} carries a secret of the credential, and ${outsideReason(policy.boundary, request.url)}. Nothing was sent there.`,
				);
			}
			outgoing = { ...request, url, headers: withoutSensitiveHeaders(request.headers) };
		}
		const answer = await send(outgoing, inside);
		const location = answer.headers?.location;
		if (!policy.follow || !REDIRECTS.has(answer.statusCode) || !location) return answer;
		discard(answer.body);
		if (hop >= maxRedirects) {
			throw new UserError(
				`${policy.what} was redirected more than ${maxRedirects} times (the last hop, HTTP ${answer.statusCode} from ${displayUrl(answer.url)}, pointed to ${describeLocation(location, answer.url)}). The server redirects in a loop: check the URL.`,
			);
		}
		if (!URL.canParse(location, answer.url) || !originOf(new URL(location, answer.url).toString())) {
			throw new UserError(
				`${policy.what}: ${displayUrl(answer.url)} answered HTTP ${answer.statusCode} with a Location header that is not a usable http(s) URL (${describeLocation(location, answer.url)}). The server's redirect is broken: ask its provider, or call the final URL directly.`,
			);
		}
		request = nextHop(request, answer.statusCode, new URL(location, answer.url).toString());
	}
}

/** A Location value as it may be shown: resolved without its query, or its length when unusable. */
function describeLocation(location: string, base: string): string {
	if (URL.canParse(location, base)) return displayUrl(new URL(location, base).toString());
	return `${location.length} characters starting "${location.slice(0, 24).replace(/[^\x20-\x7e]/g, '?')}"`;
}

/** Thrown when a body grows past its limit; the stream is destroyed with it. */
export class ResponseTooLargeError extends UserError {}

function tooLarge(what: string, limit: number, hint: string): ResponseTooLargeError {
	return new ResponseTooLargeError(`${what} sent more than ${formatBytes(limit)} (counted after decompression). ${hint}`);
}

export function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
	if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
	return `${bytes} bytes`;
}

/** Reads a whole body into memory, refusing more than `limit` bytes, and ending when `signal` fires. */
export async function readBody(body: unknown, limit: number, what: string, hint: string, signal?: AbortSignal): Promise<Buffer> {
	if (body === undefined || body === null || body === '') return Buffer.alloc(0);
	if (Buffer.isBuffer(body)) return checkSize(body, limit, what, hint);
	if (body instanceof ArrayBuffer || body instanceof Uint8Array) return checkSize(Buffer.from(body as Uint8Array), limit, what, hint);
	if (typeof body === 'string') return checkSize(Buffer.from(body), limit, what, hint);
	const iterable = body as AsyncIterable<Buffer | string>;
	if (typeof iterable[Symbol.asyncIterator] !== 'function') return checkSize(Buffer.from(JSON.stringify(body)), limit, what, hint);
	const chunks: Buffer[] = [];
	let total = 0;
	for await (const chunk of chunksUntil(iterable, signal)) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		total += buffer.length;
		if (total > limit) {
			discard(body);
			throw tooLarge(what, limit, hint);
		}
		chunks.push(buffer);
	}
	return Buffer.concat(chunks, total);
}

/**
 * The chunks of a body until `signal` fires: then the body is destroyed and the reading fails at
 * once, even while a read is pending (n8n replaces the abort signal of authenticated requests,
 * so the deadline cannot always reach the body through axios).
 */
async function* chunksUntil<T>(iterable: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
	if (!signal) return yield* iterable;
	const iterator = iterable[Symbol.asyncIterator]();
	for (;;) {
		// One listener per read, removed when the read settles: racing every read against one
		// long-lived promise would keep every chunk alive until that promise settled.
		const result = await new Promise<IteratorResult<T>>((resolve, reject) => {
			const onAbort = () => {
				discard(iterable);
				reject(new UserError('The answer was cut off: the call was stopped or ran out of time.'));
			};
			if (signal.aborted) return onAbort();
			signal.addEventListener('abort', onAbort, { once: true });
			iterator.next().then(
				(value) => {
					signal.removeEventListener('abort', onAbort);
					resolve(value);
				},
				(error: unknown) => {
					signal.removeEventListener('abort', onAbort);
					reject(error as Error);
				},
			);
		});
		if (result.done) return;
		yield result.value;
	}
}

function checkSize(buffer: Buffer, limit: number, what: string, hint: string): Buffer {
	if (buffer.length > limit) throw tooLarge(what, limit, hint);
	return buffer;
}

type ReadableClass = { from(iterable: AsyncIterable<Buffer>, options: { objectMode: boolean }): unknown };

/**
 * Node's Readable class, found on the body stream's own prototype chain: shipped code may not
 * import node:stream, and n8n's binary data store wants a real Readable.
 */
function readableClassOf(stream: object): ReadableClass | undefined {
	for (let proto = Object.getPrototypeOf(stream); proto; proto = Object.getPrototypeOf(proto)) {
		const constructor = (proto as { constructor?: { name?: string; from?: unknown } }).constructor;
		if (constructor?.name === 'Readable' && typeof constructor.from === 'function') return constructor as unknown as ReadableClass;
	}
	return undefined;
}

/**
 * A body stream for a consumer that reads it itself (n8n's binary data store), with a size
 * limit: past `limit` bytes, or when `signal` fires, it fails with a clear error, and the
 * source is destroyed.
 */
export function limitStream<T>(body: T, limit: number, what: string, hint: string, signal?: AbortSignal): T {
	const source = body as unknown as AsyncIterable<Buffer> & object;
	const Readable = source && typeof source === 'object' && Symbol.asyncIterator in source ? readableClassOf(source) : undefined;
	if (!Readable) return body;
	async function* counted() {
		let total = 0;
		for await (const chunk of chunksUntil(source, signal)) {
			total += chunk.length;
			if (total > limit) {
				discard(source);
				throw tooLarge(what, limit, hint);
			}
			yield chunk;
		}
	}
	return Readable.from(counted(), { objectMode: false }) as T;
}

/**
 * The answer of `sending`, or an error as soon as `signal` fires, for a request whose own abort
 * signal n8n replaces. An answer that arrives after that has its body thrown away.
 */
export async function answerUnlessAborted(sending: Promise<Answer>, signal: AbortSignal): Promise<Answer> {
	if (signal.aborted) throw new CancelledError();
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => {
			sending.then(
				(late) => discard(late.body),
				() => undefined,
			);
			reject(Object.assign(new Error('aborted'), { code: 'ECONNABORTED' }));
		};
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return { ...(await Promise.race([sending, aborted])), signal };
	} finally {
		signal.removeEventListener('abort', onAbort as () => void);
	}
}

/**
 * One deadline for a whole call (every hop and the body), joined with the execution's Stop.
 * `expired()` tells a timeout from a Stop once the signal has fired.
 */
export function deadline(ms: number, cancel?: AbortSignal): { signal: AbortSignal; expired: () => boolean } {
	const timeout = AbortSignal.timeout(Math.max(1, Math.round(ms)));
	return { signal: cancel ? AbortSignal.any([cancel, timeout]) : timeout, expired: () => timeout.aborted && !cancel?.aborted };
}

/**
 * Resolves after `ms`, or rejects as soon as `signal` fires: waits that Stop ends at once.
 * `wait` is n8n-workflow's sleep, which also takes the signal from 2.x on (and then clears its
 * timer); older versions ignore it, and the race still ends the wait.
 */
export async function waitUnlessAborted(
	ms: number,
	signal: AbortSignal | undefined,
	wait: (ms: number, signal?: AbortSignal) => Promise<void>,
): Promise<void> {
	if (!signal) return await wait(ms);
	if (signal.aborted) throw new CancelledError();
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(new CancelledError());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([wait(ms, signal), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort as () => void);
	}
}

/** The execution was stopped: nothing more is sent. */
export class CancelledError extends UserError {
	constructor() {
		super('The execution was stopped.');
	}
}
