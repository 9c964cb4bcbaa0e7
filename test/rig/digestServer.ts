// A strict HTTP Digest server (RFC 7616) for SHA-256, which Debian's Apache does not offer
// (mod_auth_digest knows MD5 only): every answer is checked against the nonce it issued, the
// request target it received, the realm, the algorithm and a strictly rising nonce count.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientCN, listen, readBody, type TlsMode } from './http.ts';

export interface DigestServer {
	url: string;
	/** Every request: its target and Authorization header, oldest first. */
	requests: Array<{ method: string; url: string; authorization?: string; clientCN?: string }>;
	/** Why the last refused answer was refused. */
	refusals: string[];
	/** Forgets every nonce issued so far, as when they expire: the next answers are refused. */
	expireNonces(): void;
	close(): Promise<void>;
}

export interface DigestServerOptions {
	username: string;
	password: string;
	algorithm: 'SHA-256' | 'MD5' | 'SHA-256-sess';
	realm?: string;
	/** 'mtls': HTTPS that also requires a client certificate of the test PKI (default plain HTTP). */
	tls?: TlsMode;
	/** Extra routes, keyed by path, answered after authentication. */
	routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

function params(header: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const match of header.replace(/^Digest\s+/i, '').matchAll(/([a-z*]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/gi)) {
		out[match[1].toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3];
	}
	return out;
}

export async function startDigestServer(options: DigestServerOptions): Promise<DigestServer> {
	const realm = options.realm ?? 'sha realm';
	const algorithm = options.algorithm;
	const h = (text: string) =>
		createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
			.update(text, 'utf8')
			.digest('hex');
	const nonces = new Map<string, number>();
	const opaque = randomBytes(8).toString('hex');
	const requests: DigestServer['requests'] = [];
	const refusals: string[] = [];
	const challenge = (res: ServerResponse, why: string) => {
		refusals.push(why);
		const nonce = randomBytes(18).toString('base64');
		nonces.set(nonce, 0);
		res
			.writeHead(401, {
				'www-authenticate': `Digest realm="${realm}", qop="auth", algorithm=${algorithm}, nonce="${nonce}", opaque="${opaque}"`,
				'content-type': 'application/json',
			})
			.end(JSON.stringify({ error: 'unauthorized' }));
	};
	const verify = (req: IncomingMessage): string | undefined => {
		const header = req.headers.authorization;
		if (!header?.startsWith('Digest ')) return 'no Digest answer';
		const p = params(header);
		if (p.username !== options.username) return 'unknown user';
		if (p.realm !== realm || p.algorithm !== algorithm || p.opaque !== opaque || p.qop !== 'auth')
			return 'wrong realm/algorithm/opaque/qop';
		if (p.uri !== req.url) return `uri ${p.uri} is not the request target ${req.url}`;
		const last = nonces.get(p.nonce);
		if (last === undefined) return 'unknown nonce';
		const nc = Number.parseInt(p.nc, 16);
		if (!/^[0-9a-f]{8}$/.test(p.nc) || !(nc > last)) return `nonce count ${p.nc} does not rise`;
		let ha1 = h(`${options.username}:${realm}:${options.password}`);
		if (algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${p.nonce}:${p.cnonce}`);
		const expected = h(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${h(`${req.method}:${p.uri}`)}`);
		if (p.response !== expected) return 'wrong response (password)';
		nonces.set(p.nonce, nc);
		return undefined;
	};
	const server = await listen(options.tls ?? 'none', async (req, res) => {
		requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, clientCN: clientCN(req) });
		const body = await readBody(req);
		const why = verify(req);
		if (why) return challenge(res, why);
		const path = new URL(req.url ?? '/', 'http://x').pathname;
		const route = options.routes?.[path];
		if (route) return route(req, res);
		res.writeHead(200, { 'content-type': 'application/json' }).end(
			JSON.stringify({
				method: req.method,
				user: options.username,
				contentType: req.headers['content-type'] ?? '',
				query: new URL(req.url ?? '/', 'http://x').search.slice(1),
				body: body.toString('base64'),
			}),
		);
	});
	return { url: server.url, requests, refusals, expireNonces: () => nonces.clear(), close: () => server.close() };
}
