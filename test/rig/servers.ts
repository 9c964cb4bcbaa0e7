// A generic REST API for the nodes to call: it records every request and offers fixtures for
// status codes, slow answers, non-JSON bodies, retries and pagination.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { CertKey } from './certs.ts';
import { clientCN, listen, paramsToObject, parseBody, readBody, send, sendJson, type TlsMode } from './http.ts';

export type { TlsMode } from './http.ts';

export interface RecordedRequest {
	method: string;
	/** Path and query exactly as received (the request line's target). */
	url: string;
	path: string;
	query: Record<string, string | string[]>;
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
	/** JSON or form bodies parsed, other non-empty bodies as UTF-8 text, else undefined. */
	body: unknown;
	/** CN of the verified client certificate (mTLS only). */
	clientCN?: string;
	at: number;
}

export type AuthorizeResult = boolean | { status: number; body?: unknown };

/** Extra route. `body` is the parsed body; `recorded` the full record. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: unknown, recorded: RecordedRequest) => void;

export interface ApiServerOptions {
	tls?: TlsMode;
	/** Server certificate for 'server'/'mtls' (default pki.server), e.g. pki.serverExpired. */
	serverCert?: CertKey;
	/** Guards /api/*: false → 401 {"error":"unauthorized"}; an object → that status and body. */
	authorize?: (req: RecordedRequest, raw: IncomingMessage) => AuthorizeResult;
	/** Keyed 'METHOD /path' (or '* /path' for any method); checked before the built-in routes. */
	routes?: Record<string, RouteHandler>;
}

export interface ApiServer {
	url: string;
	port: number;
	/** Every request, oldest first. Empty it with `requests.length = 0`. */
	requests: RecordedRequest[];
	close(): Promise<void>;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const int = (v: string | string[] | undefined, fallback: number) => {
	const n = Number.parseInt(first(v) ?? '', 10);
	return Number.isFinite(n) ? n : fallback;
};

// Opaque-looking cursor so clients cannot treat it as a number.
const encodeCursor = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
const decodeCursor = (cursor: string) => {
	const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
	return match ? Number(match[1]) : undefined;
};

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
	const requests: RecordedRequest[] = [];
	const retryCalls = new Map<string, number>();
	const timers = new Set<NodeJS.Timeout>();
	let baseUrl = '';

	const builtIn: Record<string, (res: ServerResponse, r: RecordedRequest) => void> = {
		'/api/echo': (res, r) =>
			sendJson(res, 200, {
				method: r.method,
				path: r.path,
				query: r.query,
				headers: r.headers,
				body: r.body,
				bodyBase64: r.rawBody.toString('base64'),
				clientCN: r.clientCN,
			}),
		'/api/me': (res) => sendJson(res, 200, { ok: true }),
		'/api/html': (res) =>
			send(
				res,
				200,
				'text/html; charset=utf-8',
				'<!doctype html><html><head><title>Rig</title></head><body><h1>Hello from the rig</h1></body></html>',
			),
		'/api/text': (res) => send(res, 200, 'text/plain; charset=utf-8', 'plain text from the rig'),
		'/api/bytes': (res, r) => {
			const n = Math.max(0, int(r.query.n, 256));
			send(res, 200, 'application/octet-stream', Buffer.from(Array.from({ length: n }, (_, i) => i % 256)));
		},
		'/api/slow': (res, r) => {
			const ms = int(r.query.ms, 1000);
			const timer = setTimeout(() => {
				timers.delete(timer);
				if (!res.destroyed) sendJson(res, 200, { ok: true, ms });
			}, ms);
			timers.add(timer);
		},
		'/api/retry': (res, r) => {
			const key = first(r.query.key) ?? 'default';
			const attempts = (retryCalls.get(key) ?? 0) + 1;
			retryCalls.set(key, attempts);
			if (attempts <= int(r.query.fail, 1)) {
				const retryAfter = first(r.query.retryAfter);
				const headers = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
				return sendJson(res, int(r.query.status, 429), { error: 'try again', attempts }, headers);
			}
			sendJson(res, 200, { ok: true, attempts });
		},
		'/api/items': (res, r) => items(res, r),
	};

	// Pagination fixture. Style follows the query: cursor=..., offset=..., else page=... (1-based).
	function items(res: ServerResponse, r: RecordedRequest): void {
		const total = int(r.query.total, 25);
		const size = Math.max(1, int(r.query.pageSize, 10));
		const cursor = first(r.query.cursor);
		let start: number;
		const next = new URL(r.path, baseUrl);
		for (const [name, value] of Object.entries(r.query)) {
			for (const v of [value].flat()) next.searchParams.append(name, v);
		}
		if (cursor !== undefined) {
			const decoded = cursor === '' ? 0 : decodeCursor(cursor);
			if (decoded === undefined) return sendJson(res, 400, { error: 'invalid cursor' });
			start = decoded;
		} else if (r.query.offset !== undefined) {
			start = Math.max(0, int(r.query.offset, 0));
		} else {
			start = (Math.max(1, int(r.query.page, 1)) - 1) * size;
		}
		const end = Math.min(start + size, total);
		const more = end < total;
		if (cursor !== undefined) next.searchParams.set('cursor', encodeCursor(end));
		else if (r.query.offset !== undefined) next.searchParams.set('offset', String(end));
		else next.searchParams.set('page', String(Math.floor(start / size) + 2));
		const nextUrl = more ? next.toString() : '';
		sendJson(
			res,
			200,
			{
				items: Array.from({ length: Math.max(0, end - start) }, (_, i) => ({ id: start + i + 1 })),
				page: Math.floor(start / size) + 1,
				offset: start,
				pageSize: size,
				total,
				nextUrl,
				nextCursor: more ? encodeCursor(end) : '',
				nextOffset: more ? end : null,
				hasMore: more,
			},
			more ? { link: `<${nextUrl}>; rel="next"` } : {},
		);
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://rig');
		const rawBody = await readBody(req);
		const recorded: RecordedRequest = {
			method: req.method ?? 'GET',
			url: req.url ?? '/',
			path: url.pathname,
			query: paramsToObject(url.searchParams),
			headers: req.headers,
			rawBody,
			body: parseBody(req.headers['content-type'], rawBody),
			clientCN: clientCN(req),
			at: Date.now(),
		};
		requests.push(recorded);

		if (options.authorize && url.pathname.startsWith('/api/')) {
			const verdict = options.authorize(recorded, req);
			if (verdict !== true) {
				const { status, body } = verdict === false ? { status: 401, body: undefined } : verdict;
				return sendJson(res, status, body ?? { error: 'unauthorized' });
			}
		}

		const custom = options.routes?.[`${recorded.method} ${url.pathname}`] ?? options.routes?.[`* ${url.pathname}`];
		if (custom) return custom(req, res, recorded.body, recorded);

		const status = /^\/api\/status\/(\d{3})$/.exec(url.pathname);
		if (status) {
			const code = Number(status[1]);
			if (code < 200) return sendJson(res, 400, { error: 'status must be 200-599' });
			if (code === 204 || code === 304) {
				res.writeHead(code);
				return void res.end();
			}
			return sendJson(res, code, { status: code });
		}
		const route = builtIn[url.pathname];
		if (route) return route(res, recorded);
		sendJson(res, 404, { error: 'not found', path: url.pathname });
	}

	const listening = await listen(
		options.tls ?? 'none',
		(req, res) => {
			handle(req, res).catch((error: Error) => {
				if (!res.headersSent) sendJson(res, 500, { error: 'rig error', message: error.message });
				else res.destroy();
			});
		},
		options.serverCert,
	);
	baseUrl = listening.url;

	return {
		url: listening.url,
		port: listening.port,
		requests,
		close: async () => {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			await listening.close();
		},
	};
}
