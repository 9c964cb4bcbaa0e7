// A recording reverse proxy for plain-HTTP rig servers: every request and every answer is kept,
// so a test can prove which secrets reached a server and read the tokens the server issued.
// It can also rewrite requests (a canary key mapped to a key the rig knows) and answer some
// requests itself (an endpoint that echoes what it received).
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from '../../rig/http.ts';

export interface Exchange {
	method: string;
	/** Path and query as received. */
	url: string;
	headers: IncomingHttpHeaders;
	body: Buffer;
	status: number;
	responseHeaders: IncomingHttpHeaders;
	responseBody: Buffer;
}

export interface Reply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

export interface ProxyOptions {
	/** Changes the headers sent on to the target (never what is recorded). */
	rewrite?: (headers: IncomingHttpHeaders, url: string) => void;
	/** Answers a request itself when it returns a reply. */
	intercept?: (request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }) => Reply | undefined;
}

export interface CaptureProxy {
	url: string;
	exchanges: Exchange[];
	close(): Promise<void>;
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		stream.on('data', (chunk: Buffer) => chunks.push(chunk));
		stream.on('end', () => resolve(Buffer.concat(chunks)));
		stream.on('error', reject);
	});
}

export async function startCaptureProxy(target: string, options: ProxyOptions = {}): Promise<CaptureProxy> {
	const exchanges: Exchange[] = [];
	const origin = new URL(target);

	const handle = async (req: IncomingMessage, res: ServerResponse) => {
		const body = await readAll(req);
		const method = req.method ?? 'GET';
		const url = req.url ?? '/';
		const record: Exchange = {
			method,
			url,
			headers: { ...req.headers },
			body,
			status: 0,
			responseHeaders: {},
			responseBody: Buffer.alloc(0),
		};
		exchanges.push(record);
		const reply = options.intercept?.({ method, url, headers: req.headers, body });
		if (reply) {
			const text = Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
			const headers = {
				'content-type': typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
				...reply.headers,
			};
			Object.assign(record, { status: reply.status, responseHeaders: headers, responseBody: text });
			res.writeHead(reply.status, { ...headers, 'content-length': text.length });
			res.end(text);
			return;
		}
		const headers: IncomingHttpHeaders = { ...req.headers, host: origin.host };
		options.rewrite?.(headers, url);
		const answer = await new Promise<IncomingMessage>((resolve, reject) => {
			const forward = http.request({ host: origin.hostname, port: origin.port, method, path: url, headers }, resolve);
			forward.on('error', reject);
			forward.end(body);
		});
		const responseBody = await readAll(answer);
		Object.assign(record, { status: answer.statusCode ?? 0, responseHeaders: answer.headers, responseBody });
		const outHeaders = { ...answer.headers };
		delete outHeaders['transfer-encoding'];
		res.writeHead(answer.statusCode ?? 502, { ...outHeaders, 'content-length': responseBody.length });
		res.end(responseBody);
	};

	const listening = await listen('none', (req, res) => {
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
			res.end(`capture proxy: ${error.message}`);
		});
	});
	return { url: listening.url, exchanges, close: () => listening.close() };
}
