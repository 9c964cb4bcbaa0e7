// Small helpers shared by the rig's servers: HTTP/HTTPS/mTLS listening, body reading and
// JSON answers.
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { makePki, type CertKey } from './certs.ts';

/** 'none': plain HTTP; 'server': HTTPS; 'mtls': HTTPS that requires a client cert signed by the test CA. */
export type TlsMode = 'none' | 'server' | 'mtls';

export interface Listening {
	server: http.Server;
	url: string;
	port: number;
	close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 with a random port. `serverCert` defaults to `pki.server`. */
export async function listen(tls: TlsMode, handler: RequestListener, serverCert?: CertKey): Promise<Listening> {
	let server: http.Server;
	if (tls === 'none') {
		server = http.createServer(handler);
	} else {
		const pki = await makePki();
		const { cert, key } = serverCert ?? pki.server;
		const mtls = tls === 'mtls';
		server = https.createServer({ cert, key, requestCert: mtls, rejectUnauthorized: mtls, ca: mtls ? pki.ca.cert : undefined }, handler);
	}
	// Keep-alive is on by default; answer fast and never hold the event loop open after close.
	server.keepAliveTimeout = 5_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	return {
		server,
		port,
		// 127.0.0.1 rather than localhost: localhost may resolve to ::1, where nothing listens.
		url: `${tls === 'none' ? 'http' : 'https'}://127.0.0.1:${port}`,
		close: () => closeServer(server),
	};
}

/** Closes the server and every connection, idle keep-alive ones included. */
export function closeServer(server: http.Server): Promise<void> {
	return new Promise((resolve) => {
		if (!server.listening) return resolve();
		server.close(() => resolve());
		server.closeAllConnections();
	});
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** Parsed body: JSON or form as objects, any other non-empty body as UTF-8 text. */
export function parseBody(contentType: string | undefined, raw: Buffer): unknown {
	if (raw.length === 0) return undefined;
	const text = raw.toString('utf8');
	const type = (contentType ?? '').toLowerCase();
	if (type.includes('json')) {
		try {
			return JSON.parse(text);
		} catch {
			return text;
		}
	}
	if (type.includes('application/x-www-form-urlencoded')) return paramsToObject(new URLSearchParams(text));
	return text;
}

/** URLSearchParams as an object; repeated names become arrays. */
export function paramsToObject(params: URLSearchParams): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	for (const [name, value] of params) {
		const prev = out[name];
		out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
	}
	return out;
}

/** CN of the verified client certificate, if the connection has one. */
export function clientCN(req: IncomingMessage): string | undefined {
	const socket = req.socket as Partial<TLSSocket>;
	if (!socket.getPeerCertificate || !socket.authorized) return undefined;
	const cn = socket.getPeerCertificate().subject?.CN;
	return Array.isArray(cn) ? cn[0] : cn;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

export function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
	res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
	res.end(body);
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
