// Tests of the rig itself: each piece must be strict, or node tests built on it prove nothing.
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { SignJWT } from 'jose';
import { makePki, startApiServer, startOAuth2Server, type ApiServer, type OAuth2Server, type Pki } from './index.ts';

interface Reply {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	json: () => any;
}

/** Response body as JSON, typed loosely for assertions. */
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

/** node:https request with explicit TLS material (fetch cannot take client certificates). */
function httpsRequest(url: string, options: https.RequestOptions & { body?: string } = {}): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = https.request(url, { agent: false, ...options }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(options.body);
	});
}

const form = (params: Record<string, string>) => ({
	method: 'POST',
	headers: { 'content-type': 'application/x-www-form-urlencoded' },
	body: new URLSearchParams(params).toString(),
});
/** RFC 6749 2.3.1 Basic: id and secret form-urlencoded, then base64. */
const basic = (id: string, secret: string) => {
	const enc = (s: string) => new URLSearchParams({ x: s }).toString().slice(2);
	return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
};

let pki: Pki;
before(async () => {
	pki = await makePki();
});

describe('certs', () => {
	test('makePki is fast and memoised', async () => {
		const start = performance.now();
		const again = await makePki();
		assert.equal(again, pki);
		assert.ok(performance.now() - start < 50);
	});

	test('every PEM key form loads, with its passphrase where encrypted', () => {
		const c = pki.client;
		assert.match(c.keyPkcs1, /^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/]/);
		assert.match(c.keyPkcs8, /^-----BEGIN PRIVATE KEY-----/);
		assert.match(c.keyPkcs8Encrypted, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
		assert.match(c.keyPkcs1Encrypted, /^-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: /);
		assert.match(pki.clientEc.keySec1, /^-----BEGIN EC PRIVATE KEY-----/);
		assert.match(pki.clientEc.keyPkcs8, /^-----BEGIN PRIVATE KEY-----/);

		const cert = new X509Certificate(c.cert);
		for (const key of [c.keyPkcs1, c.keyPkcs8]) assert.ok(cert.checkPrivateKey(createPrivateKey(key)));
		for (const key of [c.keyPkcs8Encrypted, c.keyPkcs1Encrypted]) {
			assert.ok(cert.checkPrivateKey(createPrivateKey({ key, passphrase: c.passphrase })));
			assert.throws(() => createPrivateKey({ key, passphrase: 'wrong' }));
		}
		const ecCert = new X509Certificate(pki.clientEc.cert);
		for (const key of [pki.clientEc.keySec1, pki.clientEc.keyPkcs8]) {
			const k = createPrivateKey(key);
			assert.equal(k.asymmetricKeyDetails?.namedCurve, 'prime256v1');
			assert.ok(ecCert.checkPrivateKey(k));
		}
	});

	test('certificates chain, expire and name hosts as specified', () => {
		const ca = new X509Certificate(pki.ca.cert);
		const other = new X509Certificate(pki.otherCa.cert);
		const server = new X509Certificate(pki.server.cert);
		assert.ok(server.verify(ca.publicKey));
		assert.equal(server.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1');
		assert.equal(new X509Certificate(pki.serverWrongHost.cert).subjectAltName, 'DNS:wrong.example');
		assert.ok(new X509Certificate(pki.serverOtherCa.cert).verify(other.publicKey));
		assert.ok(Date.parse(new X509Certificate(pki.serverExpired.cert).validTo) < Date.now());
		assert.ok(Date.parse(new X509Certificate(pki.clientExpired.cert).validTo) < Date.now());
		assert.deepEqual(new X509Certificate(pki.client.cert).keyUsage, ['1.3.6.1.5.5.7.3.2']); // clientAuth
		// clientChain holds leaf + intermediate; the intermediate is signed by the CA.
		const [leaf, inter] = pki.clientChain.cert.split(/(?<=-----END CERTIFICATE-----\n)/).map((p) => new X509Certificate(p));
		assert.ok(leaf.verify(new X509Certificate(pki.intermediate.cert).publicKey));
		assert.ok(inter.verify(ca.publicKey));
		assert.ok(!leaf.verify(ca.publicKey));
	});

	test('PKCS#12 files are accepted by Node TLS', () => {
		tls.createSecureContext({ pfx: Buffer.from(pki.pfx, 'base64'), passphrase: pki.passphrase });
		assert.throws(() => tls.createSecureContext({ pfx: Buffer.from(pki.pfx, 'base64'), passphrase: 'wrong' }), /mac verify failure/);
		tls.createSecureContext({ pfx: Buffer.from(pki.pfxNoPassphrase, 'base64') });
		tls.createSecureContext({ pfx: Buffer.from(pki.pfxNoPassphrase, 'base64'), passphrase: '' });
	});
});

describe('API server TLS', () => {
	const servers: ApiServer[] = [];
	let https1: ApiServer;
	let mtls: ApiServer;
	before(async () => {
		[https1, mtls] = await Promise.all([startApiServer({ tls: 'server' }), startApiServer({ tls: 'mtls' })]);
		servers.push(https1, mtls);
	});
	after(() => Promise.all(servers.map((s) => s.close())));

	test('HTTPS server is trusted only with the test CA', async () => {
		assert.equal((await httpsRequest(`${https1.url}/api/me`, { ca: pki.ca.cert })).status, 200);
		await assert.rejects(httpsRequest(`${https1.url}/api/me`), /self-signed|unable to verify/i);
	});

	test('bad server certificates are refused by a client trusting the CA', async () => {
		const cases = [
			[pki.serverExpired, /expired/i],
			[pki.serverWrongHost, /altnames|does not match/i],
			[pki.serverOtherCa, /unable to verify|self-signed/i],
		] as const;
		for (const [serverCert, error] of cases) {
			const s = await startApiServer({ tls: 'server', serverCert });
			servers.push(s);
			await assert.rejects(httpsRequest(`${s.url}/api/me`, { ca: pki.ca.cert }), error);
		}
	});

	test('mTLS server refuses requests without an acceptable client certificate', async () => {
		const url = `${mtls.url}/api/echo`;
		await assert.rejects(httpsRequest(url, { ca: pki.ca.cert }), /certificate required/i);
		// Untrusted CA, expired, a leaf without its intermediate, a serverAuth-only certificate.
		const leafOnly = { ...pki.clientChain, cert: pki.clientChain.cert.split(/(?<=-----END CERTIFICATE-----\n)/)[0] };
		for (const bad of [pki.clientOtherCa, pki.clientExpired, leafOnly, pki.server]) {
			await assert.rejects(httpsRequest(url, { ca: pki.ca.cert, cert: bad.cert, key: bad.key }), /alert|ECONNRESET|socket hang up/i);
		}
	});

	test('mTLS server accepts every client certificate form and records the CN', async () => {
		const url = `${mtls.url}/api/echo`;
		const c = pki.client;
		const variants: [https.RequestOptions, string][] = [
			[{ cert: c.cert, key: c.keyPkcs1 }, 'rig-client'],
			[{ cert: c.cert, key: c.keyPkcs8Encrypted, passphrase: c.passphrase }, 'rig-client'],
			[{ cert: c.cert, key: c.keyPkcs1Encrypted, passphrase: c.passphrase }, 'rig-client'],
			[{ cert: pki.clientEc.cert, key: pki.clientEc.keySec1 }, 'rig-client-ec'],
			[{ cert: pki.clientChain.cert, key: pki.clientChain.key }, 'rig-client-chain'],
			[{ pfx: Buffer.from(pki.pfx, 'base64'), passphrase: pki.passphrase }, 'rig-client'],
			[{ pfx: Buffer.from(pki.pfxNoPassphrase, 'base64') }, 'rig-client'],
		];
		for (const [options, cn] of variants) {
			const reply = await httpsRequest(url, { ca: pki.ca.cert, ...options });
			assert.equal(reply.status, 200);
			assert.equal(reply.json().clientCN, cn);
		}
		assert.equal(mtls.requests.at(-1)?.clientCN, 'rig-client');
	});
});

describe('API server routes', () => {
	let api: ApiServer;
	before(async () => {
		api = await startApiServer({
			authorize: (r) =>
				r.path === '/api/open' ||
				r.headers['x-api-key'] === 'k1' ||
				(r.path === '/api/me' && { status: 403, body: { error: 'forbidden' } }),
			routes: { 'GET /api/open': (_req, res) => res.end('open') },
		});
	});
	after(() => api.close());
	const key = { 'x-api-key': 'k1' };

	test('authorize guards /api/ and custom routes run', async () => {
		assert.equal((await fetch(`${api.url}/api/echo`)).status, 401);
		assert.deepEqual(await json(fetch(`${api.url}/api/echo`)), { error: 'unauthorized' });
		assert.equal((await fetch(`${api.url}/api/me`)).status, 403);
		assert.equal(await (await fetch(`${api.url}/api/open`)).text(), 'open');
		assert.equal((await fetch(`${api.url}/api/me`, { headers: key })).status, 200);
	});

	test('echo records method, query, headers and parsed bodies', async () => {
		const echo = await json(
			fetch(`${api.url}/api/echo?a=1&a=2&b=é`, {
				method: 'PATCH',
				headers: { ...key, 'content-type': 'application/json' },
				body: JSON.stringify({ x: 1 }),
			}),
		);
		assert.equal(echo.method, 'PATCH');
		assert.deepEqual(echo.query, { a: ['1', '2'], b: 'é' });
		assert.deepEqual(echo.body, { x: 1 });
		assert.equal(echo.headers['x-api-key'], 'k1');
		await fetch(`${api.url}/api/echo`, { method: 'POST', headers: key, body: new URLSearchParams({ u: 'a b', p: 'c:d' }) });
		const last = api.requests.at(-1)!;
		assert.deepEqual(last.body, { u: 'a b', p: 'c:d' });
		assert.equal(last.rawBody.toString(), 'u=a+b&p=c%3Ad');
		const head = await fetch(`${api.url}/api/echo`, { method: 'HEAD', headers: key });
		assert.equal(head.status, 200);
		assert.equal(await head.text(), '');
	});

	test('status, text, html, bytes', async () => {
		const teapot = await fetch(`${api.url}/api/status/418`, { headers: key });
		assert.equal(teapot.status, 418);
		assert.deepEqual(await json(teapot), { status: 418 });
		assert.equal((await fetch(`${api.url}/api/status/204`, { headers: key })).status, 204);
		assert.match((await fetch(`${api.url}/api/html`, { headers: key })).headers.get('content-type')!, /text\/html/);
		assert.match((await fetch(`${api.url}/api/text`, { headers: key })).headers.get('content-type')!, /text\/plain/);
		const bytes = new Uint8Array(await (await fetch(`${api.url}/api/bytes?n=300`, { headers: key })).arrayBuffer());
		assert.equal(bytes.length, 300);
		assert.equal(bytes[257], 1);
	});

	test('retry fails N times per key with Retry-After, then succeeds', async () => {
		const url = `${api.url}/api/retry?fail=2&status=503&retryAfter=1&key=r1`;
		for (let i = 0; i < 2; i++) {
			const r = await fetch(url, { headers: key });
			assert.equal(r.status, 503);
			assert.equal(r.headers.get('retry-after'), '1');
		}
		assert.deepEqual(await json(fetch(url, { headers: key })), { ok: true, attempts: 3 });
		assert.equal((await fetch(`${api.url}/api/retry?key=r2`, { headers: key })).status, 429);
	});

	test('items paginate by page, offset, cursor and next URL', async () => {
		const walk = async (first: string, next: (body: any) => string | undefined) => {
			const ids: number[] = [];
			let url: string | undefined = first;
			while (url) {
				const body: any = await json(fetch(url, { headers: key }));
				ids.push(...body.items.map((i: { id: number }) => i.id));
				url = next(body);
			}
			return ids;
		};
		const all = Array.from({ length: 23 }, (_, i) => i + 1);
		const base = `${api.url}/api/items?pageSize=5&total=23`;
		assert.deepEqual(await walk(base, (b) => b.nextUrl || undefined), all);
		assert.deepEqual(await walk(`${base}&offset=0`, (b) => (b.nextOffset === null ? undefined : `${base}&offset=${b.nextOffset}`)), all);
		assert.deepEqual(await walk(`${base}&cursor=`, (b) => b.nextCursor && `${base}&cursor=${b.nextCursor}`), all);
		assert.deepEqual(await walk(`${base}&page=1`, (b) => (b.hasMore ? `${base}&page=${b.page + 1}` : undefined)), all);
	});

	test('a slow request does not keep close() waiting', async () => {
		const s = await startApiServer();
		const pending = fetch(`${s.url}/api/slow?ms=60000`).catch((e: Error) => e);
		await new Promise((r) => setTimeout(r, 50));
		const start = performance.now();
		await s.close();
		assert.ok(performance.now() - start < 500);
		assert.ok((await pending) instanceof Error);
	});
});

describe('OAuth2 server', () => {
	let oauth: OAuth2Server;
	let rsa: KeyObject;
	let ec: KeyObject;
	const ecKeys: Record<string, KeyObject> = {};
	const clients = [
		{ id: 'app', secret: 's3cr%t:+é', redirectUris: ['http://127.0.0.1:9/callback'] },
		{ id: 'public-app', redirectUris: ['http://127.0.0.1:9/callback'] },
	];
	const users = [{ username: 'alice', password: 'pa:ss wörd' }];

	before(async () => {
		rsa = createPrivateKey(pki.client.key);
		ec = createPrivateKey(pki.clientEc.key);
		ecKeys.ES256 = ec;
		ecKeys.ES384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
		ecKeys.ES512 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
		oauth = await startOAuth2Server({
			clients,
			users,
			jwtIssuers: [
				{ issuer: 'rsa-sa@rig', publicKey: pki.client.cert },
				{ issuer: 'es256@rig', publicKey: ec, subject: 'bob' },
				{ issuer: 'es384@rig', publicKey: ecKeys.ES384 },
				{ issuer: 'es512@rig', publicKey: ecKeys.ES512.export({ format: 'jwk' }) },
			],
		});
	});
	after(() => oauth.close());

	const post = (path: string, init: RequestInit) => fetch(`${oauth.url}${path}`, init);
	const token = (params: Record<string, string>, authorization?: string) => {
		const f = form(params);
		return post('/token', { ...f, headers: { ...f.headers, ...(authorization ? { authorization } : {}) } });
	};

	test('client authentication is checked', async () => {
		const ok = await token({ grant_type: 'client_credentials' }, basic('app', 's3cr%t:+é'));
		assert.equal(ok.status, 200);
		const body = await json(ok);
		assert.equal(body.token_type, 'Bearer');
		assert.equal(body.refresh_token, undefined);

		const wrong = await token({ grant_type: 'client_credentials' }, basic('app', 'nope'));
		assert.equal(wrong.status, 401);
		assert.equal(wrong.headers.get('www-authenticate')?.startsWith('Basic'), true);
		assert.equal((await json(wrong)).error, 'invalid_client');
		// Not form-urlencoded before base64: '%t' does not decode → refused.
		const raw = `Basic ${Buffer.from('app:s3cr%t:+é').toString('base64')}`;
		assert.equal((await token({ grant_type: 'client_credentials' }, raw)).status, 401);
		assert.equal((await token({ grant_type: 'client_credentials', client_id: 'app' })).status, 401);
		assert.equal((await token({ grant_type: 'client_credentials', client_id: 'app', client_secret: 's3cr%t:+é' })).status, 200);
		assert.equal((await token({ grant_type: 'client_credentials', client_id: 'public-app' })).status, 400);
		assert.deepEqual(
			oauth.log.slice(0, 2).map((l) => [l.clientAuth, l.ok]),
			[
				['basic', true],
				['basic', false],
			],
		);
		assert.equal(oauth.log.at(-2)?.clientAuth, 'body');
	});

	test('password grant: wrong password refused, UTF-8 and ":" accepted, refresh rotates', async () => {
		const wrong = await token({ grant_type: 'password', username: 'alice', password: 'pa:ss word' }, basic('app', 's3cr%t:+é'));
		assert.equal(wrong.status, 400);
		assert.deepEqual(await json(wrong), { error: 'invalid_grant', error_description: 'Invalid username or password' });

		const res = await token(
			{ grant_type: 'password', username: 'alice', password: 'pa:ss wörd', scope: 'read write' },
			basic('app', 's3cr%t:+é'),
		);
		assert.equal(res.status, 200);
		const first = await json(res);
		assert.equal(first.scope, 'read write');
		assert.deepEqual(oauth.validate(first.access_token), {
			active: true,
			expired: false,
			scope: 'read write',
			sub: 'alice',
			clientId: 'app',
		});

		const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, basic('app', 's3cr%t:+é'));
		assert.equal(refreshed.status, 200);
		const second = await json(refreshed);
		assert.notEqual(second.refresh_token, first.refresh_token);
		const reused = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, basic('app', 's3cr%t:+é'));
		assert.equal(reused.status, 400);
		assert.equal((await json(reused)).error, 'invalid_grant');

		// Public client: client_id only; JSON bodies are accepted too.
		const pub = await post('/token', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ grant_type: 'password', client_id: 'public-app', username: 'alice', password: 'pa:ss wörd' }),
		});
		assert.equal(pub.status, 200);
		assert.ok(oauth.counts.password >= 3 && oauth.counts.refresh_token >= 2);
	});

	test('JWT bearer: every algorithm family accepted, each failure named', async () => {
		const aud = oauth.audience;
		const sign = (alg: string, iss: string, key: KeyObject, claims: Record<string, unknown> = {}, lifetime = 300) => {
			const now = Math.floor(Date.now() / 1000);
			const payload = { iss, sub: 'bob', aud, iat: now, exp: now + lifetime, scope: 'x', ...claims };
			return new SignJWT(payload).setProtectedHeader({ alg, kid: `kid-${alg}` }).sign(key);
		};
		const grant = async (assertion: string) => {
			const r = await token({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
			return { status: r.status, body: await json(r) };
		};

		for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) {
			assert.equal((await grant(await sign(alg, 'rsa-sa@rig', rsa))).status, 200, alg);
		}
		for (const [alg, iss] of [
			['ES256', 'es256@rig'],
			['ES384', 'es384@rig'],
			['ES512', 'es512@rig'],
		]) {
			assert.equal((await grant(await sign(alg, iss, ecKeys[alg]))).status, 200, alg);
		}
		assert.equal(oauth.lastAssertion?.header.kid, 'kid-ES512');
		assert.equal(oauth.lastAssertion?.payload.aud, aud);

		const fails: [Promise<string>, RegExp][] = [
			[sign('RS256', 'rsa-sa@rig', createPrivateKey(pki.ca.key)), /signature/],
			[sign('RS256', 'nobody@rig', rsa), /unknown issuer/],
			[sign('RS256', 'rsa-sa@rig', rsa, { aud: 'https://elsewhere/token' }), /wrong audience/],
			[sign('RS256', 'rsa-sa@rig', rsa, {}, -10), /expired/],
			[sign('RS256', 'rsa-sa@rig', rsa, {}, 7200), /lifetime too long/],
			[sign('RS256', 'rsa-sa@rig', rsa, { iat: Math.floor(Date.now() / 1000) + 600 }), /iat in the future/],
			[sign('ES256', 'es256@rig', ec, { sub: 'mallory' }), /wrong subject/],
			[new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('rsa-sa@rig').sign(new Uint8Array(32)), /algorithm not allowed/],
		];
		for (const [assertion, reason] of fails) {
			const { status, body } = await grant(await assertion);
			assert.equal(status, 400);
			assert.equal(body.error, 'invalid_grant');
			assert.match(body.error_description, reason);
		}
	});

	test('authorization code: login page, redirect, redirect_uri and PKCE checked', async () => {
		const verifier = 'v'.repeat(50);
		const challenge = (await import('node:crypto')).createHash('sha256').update(verifier).digest('base64url');
		const redirect = 'http://127.0.0.1:9/callback';
		const login = async (password: string) => {
			const q = new URLSearchParams({
				response_type: 'code',
				client_id: 'app',
				redirect_uri: redirect,
				state: 'st1',
				scope: 'read',
				code_challenge: challenge,
				code_challenge_method: 'S256',
				access_type: 'offline',
			});
			const page = await (await fetch(`${oauth.authorizeUrl}?${q}`)).text();
			assert.match(page, /name="username"/);
			assert.match(page, /name="password"/);
			assert.match(page, /Sign in<\/button>/);
			const requestId = /name="request_id" value="([^"]+)"/.exec(page)![1];
			return post('/authorize', { ...form({ request_id: requestId, username: 'alice', password }), redirect: 'manual' });
		};
		const initial = oauth.lastAuthorizeQuery;
		assert.equal(initial, undefined);
		const bad = await login('wrong');
		assert.equal(bad.status, 200);
		assert.match(await bad.text(), /Invalid username or password/);
		assert.equal(oauth.lastAuthorizeQuery?.access_type, 'offline');

		const code = async () => {
			const r = await login('pa:ss wörd');
			assert.equal(r.status, 302);
			const location = new URL(r.headers.get('location')!);
			assert.equal(`${location.origin}${location.pathname}`, redirect);
			assert.equal(location.searchParams.get('state'), 'st1');
			return location.searchParams.get('code')!;
		};
		const exchange = async (params: Record<string, string>) => {
			const r = await token(
				{ grant_type: 'authorization_code', redirect_uri: redirect, code_verifier: verifier, ...params },
				basic('app', 's3cr%t:+é'),
			);
			return { status: r.status, body: await json(r) };
		};
		const wrongVerifier = await exchange({ code: await code(), code_verifier: 'w'.repeat(50) });
		assert.equal(wrongVerifier.status, 400);
		assert.match(wrongVerifier.body.error_description, /PKCE/);
		assert.equal((await exchange({ code: await code(), redirect_uri: 'http://127.0.0.1:9/other' })).status, 400);

		const good = await code();
		const ok = await exchange({ code: good });
		assert.equal(ok.status, 200);
		assert.ok(ok.body.refresh_token);
		assert.equal(oauth.validate(ok.body.access_token).scope, 'read');
		assert.equal((await exchange({ code: good })).status, 400); // codes are single use
	});

	test('protected API: valid, expired and revoked tokens', async () => {
		const me = (t: string) => fetch(oauth.apiUrl, { headers: { authorization: `Bearer ${t}` } });
		const t1 = oauth.issueAccessToken({ sub: 'alice', scope: 's' });
		assert.deepEqual(await json(me(t1)), { sub: 'alice', scope: 's' });
		assert.equal((await fetch(`${oauth.apiUrl}?access_token=${t1}`)).status, 200);
		assert.equal((await me('made-up')).status, 401);

		oauth.setLifetime(0);
		const res = await token({ grant_type: 'client_credentials' }, basic('app', 's3cr%t:+é'));
		const body = await json(res);
		assert.equal(body.expires_in, 0);
		const expired = await me(body.access_token);
		assert.equal(expired.status, 401);
		assert.deepEqual(await json(expired), { error: 'invalid_token' });
		assert.equal(oauth.validate(body.access_token).expired, true);
		oauth.setLifetime(3600);

		oauth.revokeAll();
		assert.equal((await me(t1)).status, 401);
		assert.ok(oauth.counts.api >= 5);
	});

	test('custom login endpoint', async () => {
		const login = (user: string, pass: string) =>
			post('/custom/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, pass }) });
		const ok = await json(login('alice', 'pa:ss wörd'));
		assert.equal(ok.data.session.ttl, 3600);
		assert.equal(oauth.validate(ok.data.session.key).sub, 'alice');
		const bad = await login('alice', 'x');
		assert.equal(bad.status, 401);
		assert.deepEqual(await json(bad), { message: 'bad login' });
		assert.equal(oauth.counts.custom, 2);
	});

	test('faults', async () => {
		const cc = () => token({ grant_type: 'client_credentials' }, basic('app', 's3cr%t:+é'));
		oauth.setFault(500, 1);
		assert.equal((await cc()).status, 500);
		assert.equal((await cc()).status, 200); // one-shot fault consumed
		oauth.setFault('html');
		assert.match((await cc()).headers.get('content-type')!, /text\/html/);
		oauth.setFault('non-json');
		assert.match(await (await cc()).text(), /not json/);
		oauth.setFault('no-token');
		assert.equal((await json(cc())).access_token, undefined);
		oauth.setFault('timeout');
		await assert.rejects(
			fetch(oauth.tokenUrl, { ...form({ grant_type: 'client_credentials' }), signal: AbortSignal.timeout(200) }),
			/timeout|abort/i,
		);
		oauth.setFault('none');
		assert.equal((await cc()).status, 200);
		assert.ok(oauth.log.some((l) => l.error === 'fault:timeout'));
	});

	test('token endpoint over mTLS requires the client certificate', async () => {
		const m = await startOAuth2Server({ tls: 'mtls', clients });
		try {
			const f = form({ grant_type: 'client_credentials' });
			const options = { ...f, ca: pki.ca.cert, headers: { ...f.headers, authorization: basic('app', 's3cr%t:+é') } };
			await assert.rejects(httpsRequest(m.tokenUrl, options));
			const ok = await httpsRequest(m.tokenUrl, { ...options, cert: pki.client.cert, key: pki.client.key });
			assert.equal(ok.status, 200);
			assert.equal(m.counts.client_credentials, 1);
		} finally {
			await m.close();
		}
	});
});
