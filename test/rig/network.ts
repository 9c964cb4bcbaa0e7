// A small loopback "internet" for the boundary property tests: recording servers on several
// addresses and ports, each speaking plain HTTP and HTTPS on the same port (the first byte of a
// connection tells which), so that a URL can change only its scheme, only its host, or only its
// port. Every request is recorded with the origin the client addressed (scheme + Host header),
// its request line, raw headers and body, and whether a client certificate came with the TLS
// connection; every TLS handshake is recorded too, with its SNI and client certificate, whether
// or not a request followed. What a server answers is up to the test: requests under
// /s/<id>/... (anywhere in the path) go to the script registered for <id>.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { makePki } from './certs.ts';
import { closeServer, readBody } from './http.ts';

export type Scheme = 'http' | 'https';

/** One recorded request. */
export interface Seen {
	/** Order of arrival, over all servers. */
	seq: number;
	/** The server's label, e.g. "A". */
	server: string;
	/** Where the server listens. */
	address: string;
	port: number;
	scheme: Scheme;
	/** The Host header as sent. */
	host: string;
	/** The origin the client addressed: scheme and Host, normalised as URL does. */
	origin: string;
	method: string;
	/** The request target as sent (path and query). */
	target: string;
	/** Header names and values, as sent. */
	headers: Array<[string, string]>;
	body: Buffer;
	/** A client certificate came with this request's TLS connection. */
	clientCert: boolean;
}

/** One TLS handshake that completed at a server. */
export interface Handshake {
	server: string;
	address: string;
	port: number;
	/** The server name the client asked for (none for an IP address). */
	sni: string | undefined;
	clientCert: boolean;
	/** Origins of the requests sent on this connection (none if the client gave up after the handshake). */
	origins: string[];
}

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	/** An object is sent as JSON. */
	body?: string | Buffer | object;
}

export type Script = (request: Seen) => Reply | Promise<Reply>;

export interface ServerSpec {
	label: string;
	address: string;
	/** The port of an earlier server (on another address), or any free port. */
	samePortAs?: string;
}

export interface ListeningServer {
	label: string;
	address: string;
	port: number;
}

export interface Network {
	servers: Record<string, ListeningServer>;
	requests: Seen[];
	handshakes: Handshake[];
	/** Requests whose path holds /s/<id>/ are answered by `script` until `unroute(id)`. */
	route(id: string, script: Script): void;
	unroute(id: string): void;
	close(): Promise<void>;
}

/** Arrival order over every network of the process. */
let seq = 0;

/** The origin a request addressed, from its scheme and Host header. */
export function addressedOrigin(scheme: Scheme, host: string): string {
	try {
		return new URL(`${scheme}://${host}`).origin;
	} catch {
		return `${scheme}://(invalid host ${JSON.stringify(host)})`;
	}
}

function hasPeerCertificate(socket: unknown): boolean {
	const tlsSocket = socket as Partial<TLSSocket>;
	if (typeof tlsSocket.getPeerCertificate !== 'function') return false;
	const certificate = tlsSocket.getPeerCertificate();
	return !!certificate && Object.keys(certificate).length > 0;
}

/** Starts recording servers, in order (so that one can take the port of an earlier one). */
export async function startNetwork(specs: ServerSpec[]): Promise<Network> {
	const pki = await makePki();
	const requests: Seen[] = [];
	const handshakes: Handshake[] = [];
	const scripts = new Map<string, Script>();
	const closers: Array<() => Promise<void>> = [];
	const servers: Record<string, ListeningServer> = {};
	const handshakeOf = new WeakMap<object, Handshake>();

	const answer = (res: ServerResponse, reply: Reply) => {
		const headers: Record<string, string> = { connection: 'close', ...reply.headers };
		let body: Buffer;
		if (reply.body === undefined) body = Buffer.alloc(0);
		else if (Buffer.isBuffer(reply.body)) body = reply.body;
		else if (typeof reply.body === 'string') body = Buffer.from(reply.body);
		else {
			body = Buffer.from(JSON.stringify(reply.body));
			headers['content-type'] ??= 'application/json';
		}
		headers['content-length'] = String(body.length);
		res.writeHead(reply.status, headers);
		res.end(body);
	};

	for (const spec of specs) {
		const handler = (scheme: Scheme) => async (req: IncomingMessage, res: ServerResponse) => {
			try {
				const body = await readBody(req);
				const host = req.headers.host ?? '';
				const headers: Array<[string, string]> = [];
				for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
				const seen: Seen = {
					seq: ++seq,
					server: spec.label,
					address: listening.address,
					port: listening.port,
					scheme,
					host,
					origin: addressedOrigin(scheme, host),
					method: req.method ?? '',
					target: req.url ?? '',
					headers,
					body,
					clientCert: scheme === 'https' && hasPeerCertificate(req.socket),
				};
				requests.push(seen);
				handshakeOf.get(req.socket)?.origins.push(seen.origin);
				const id = /\/s\/([^/?#]+)/.exec(seen.target)?.[1];
				const script = id === undefined ? undefined : scripts.get(decodeURIComponent(id));
				answer(res, script ? await script(seen) : { status: 404, body: { error: 'no script for this path' } });
			} catch (error) {
				if (!res.headersSent) answer(res, { status: 500, body: { error: (error as Error).message } });
				else res.destroy();
			}
		};
		const plain = http.createServer(handler('http'));
		const secure = https.createServer(
			{ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: false },
			handler('https'),
		);
		secure.on('secureConnection', (socket: TLSSocket) => {
			const handshake: Handshake = {
				server: spec.label,
				address: listening.address,
				port: listening.port,
				sni: (socket as TLSSocket & { servername?: string | false }).servername || undefined,
				clientCert: hasPeerCertificate(socket),
				origins: [],
			};
			handshakes.push(handshake);
			handshakeOf.set(socket, handshake);
		});
		// A client that gives up on the server's certificate is no error of the server's.
		secure.on('tlsClientError', () => {});
		const sockets = new Set<net.Socket>();
		const front = net.createServer((socket) => {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
			socket.on('error', () => {});
			socket.once('readable', () => {
				const first = socket.read(1) as Buffer | null;
				if (!first) return void socket.destroy();
				socket.unshift(first);
				// 0x16: a TLS handshake record.
				(first[0] === 0x16 ? secure : plain).emit('connection', socket);
			});
		});
		await new Promise<void>((resolve, reject) => {
			front.once('error', reject);
			front.listen(spec.samePortAs ? servers[spec.samePortAs].port : 0, spec.address, () => resolve());
		});
		const listening: ListeningServer = { label: spec.label, address: spec.address, port: (front.address() as AddressInfo).port };
		servers[spec.label] = listening;
		closers.push(async () => {
			for (const socket of sockets) socket.destroy();
			await Promise.all([closeServer(plain), closeServer(secure), new Promise<void>((resolve) => front.close(() => resolve()))]);
		});
	}

	return {
		servers,
		requests,
		handshakes,
		route: (id, script) => void scripts.set(id, script),
		unroute: (id) => void scripts.delete(id),
		close: async () => void (await Promise.all(closers.map(async (close) => await close()))),
	};
}
