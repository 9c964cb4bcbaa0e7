// Token credentials through the real engine against a strict OAuth2 server: password grant,
// custom token request and JWT bearer grant. Tokens are counted: one per lifetime.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import { importSPKI, jwtVerify } from 'jose';
import { makePki, startApiServer, startOAuth2Server, type OAuth2Server, type Pki } from '../rig/index.ts';
import { callWorkflow, createEngine, type Engine } from './engine.ts';

const USER = { username: 'ada', password: 'pä:ss "wörd"' };
const CLIENT = { id: 'app', secret: 'app-secret' };

let pki: Pki;
let engine: Engine;
let auth: OAuth2Server;
const servers: Array<{ close(): Promise<void> }> = [];

before(async () => {
	pki = await makePki();
	engine = await createEngine();
	auth = await startOAuth2Server({ clients: [CLIENT], users: [USER] });
	servers.push(auth);
});
after(async () => await Promise.all(servers.map(async (server) => await server.close())));

// Tokens are shared within a process by identical settings, so each test gets its own scope
// and thus its own token.
let unique = 0;
function add(type: string, data: Record<string, unknown>) {
	return { type, ...engine.credentials.add(type, { testUrl: '/api/me', scope: `test-${++unique}`, ...data }) };
}

async function callMe(credential: { type: string; id: string; name: string }, count = 1, extra: Record<string, unknown> = {}) {
	const result = await engine.run(
		callWorkflow({ authentication: credential.type, method: 'GET', url: '/api/me', ...extra }, { credential, count }),
		{ mode: 'trigger' },
	);
	return { error: result.error('Call') ?? result.error(), output: result.output('Call') };
}

const stored = (credential: { id: string }) => engine.credentials.stored.get(credential.id)?.data ?? {};

describe('OAuth2 password grant', () => {
	const password = (server: OAuth2Server, data: Record<string, unknown> = {}) =>
		add('apiConnectorPasswordGrantOAuth2Api', {
			tokenUrl: server.tokenUrl,
			baseUrl: server.url,
			username: USER.username,
			password: USER.password,
			clientId: CLIENT.id,
			clientSecret: CLIENT.secret,
			...data,
		});

	test('one token for 50 items and 3 executions, stored in the credential, sent as Bearer', async () => {
		const before = auth.counts.total;
		const credential = password(auth);
		for (let run = 0; run < 3; run++) {
			const { error, output } = await callMe(credential, 50);
			assert.equal(error, undefined, String(error?.message));
			assert.equal(output.length, 50);
			assert.equal(output[0].sub, USER.username);
		}
		assert.equal(auth.counts.total - before, 1);
		assert.equal(auth.log.at(-1)?.clientAuth, 'basic');
		assert.ok(auth.validate(stored(credential).accessToken as string).active, 'the stored token is the live one');
	});

	test('8 calls in flight with no token still fetch a single token', async () => {
		const before = auth.counts.total;
		const { error, output } = await callMe(password(auth), 40, { options: { concurrency: 8 } });
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output.length, 40);
		assert.equal(auth.counts.total - before, 1);
	});

	test('client credentials in the body when the credential says so', async () => {
		const { error } = await callMe(password(auth, { clientAuthentication: 'body' }));
		assert.equal(error, undefined, String(error?.message));
		assert.equal(auth.log.at(-1)?.clientAuth, 'body');
	});

	test('refreshes before expiry with the refresh token, without a refused call', async () => {
		const server = await startOAuth2Server({ clients: [CLIENT], users: [USER], lifetime: 2 });
		servers.push(server);
		const credential = password(server);
		assert.equal((await callMe(credential, 5)).error, undefined);
		await wait(1700); // past 80% of the 2 s lifetime
		const { error } = await callMe(credential, 5);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(server.counts.password, 1);
		assert.equal(server.counts.refresh_token, 1);
		assert.equal(server.log.filter((entry) => !entry.ok).length, 0);
	});

	test('falls back to the password grant when the refresh token is refused', async () => {
		const server = await startOAuth2Server({ clients: [CLIENT], users: [USER], lifetime: 1 });
		servers.push(server);
		const credential = password(server);
		assert.equal((await callMe(credential)).error, undefined);
		await wait(900); // past 80% of the 1 s lifetime
		const data = stored(credential);
		engine.credentials.stored.get(credential.id)!.data = { ...data, refreshToken: 'revoked-elsewhere' };
		const { error } = await callMe(credential);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(server.counts.refresh_token, 1);
		assert.equal(server.counts.password, 2);
	});

	test('a refresh token another worker just rotated: its stored token is taken, no password grant', async () => {
		const server = await startOAuth2Server({ clients: [CLIENT], users: [USER], lifetime: 1 });
		servers.push(server);
		const credential = password(server);
		assert.equal((await callMe(credential)).error, undefined);
		await wait(900); // past 80% of the 1 s lifetime
		// Another n8n process refreshes first: the server rotates the refresh token this execution
		// will send, and that process stores its token 300 ms later.
		server.setLifetime(60);
		const response = await fetch(server.tokenUrl, {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
			},
			body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stored(credential).refreshToken as string }),
		});
		const other = (await response.json()) as { access_token: string; refresh_token: string };
		const now = Date.now();
		const storing = wait(300).then(() => {
			engine.credentials.stored.get(credential.id)!.data = {
				...stored(credential),
				accessToken: other.access_token,
				refreshToken: other.refresh_token,
				tokenExpiresAt: now + 60_000,
				tokenRefreshAt: now + 48_000,
			};
		});
		const { error, output } = await callMe(credential);
		await storing;
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output.length, 1);
		assert.equal(server.counts.password, 1, 'no password grant');
		assert.equal(server.counts.refresh_token, 2, "the other worker's refresh and this execution's refused one");
		assert.equal(stored(credential).accessToken, other.access_token);
	});

	test('a token the API refuses (revoked) is replaced once, and the call succeeds', async () => {
		const credential = password(auth);
		assert.equal((await callMe(credential)).error, undefined);
		auth.revokeAll();
		const before = auth.counts.total;
		const { error } = await callMe(credential, 3);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(auth.counts.total - before, 1);
	});

	test('an API that refuses every fresh token: one token request per execution, the other items fail at once', async () => {
		const api = await startApiServer({ authorize: () => false });
		servers.push(api);
		const credential = password(auth, { baseUrl: api.url });
		const before = auth.counts.total;
		const result = await engine.run(
			callWorkflow({ authentication: credential.type, method: 'GET', url: '/api/me' }, { credential, count: 20, continueOnFail: true }),
			{ mode: 'trigger' },
		);
		const output = result.output('Call');
		assert.equal(output.length, 20);
		assert.match(String(output[0].error), /answered HTTP 401/);
		for (const item of output.slice(1))
			assert.match(String(item.error), /refused a freshly obtained token \(HTTP 401 from .*\/api\/me\), so no further token was fetched/);
		assert.equal(auth.counts.total - before, 1, 'the token fetched for this execution, and no other');
		assert.equal(api.requests.length, 1, 'no call after the API refused the fresh token');
	});

	test('a stored token that is refused is replaced once; a refusal of the new one is final', async () => {
		const api = await startApiServer({ authorize: () => false });
		servers.push(api);
		const credential = password(auth, { baseUrl: api.url });
		assert.match(
			String((await callMe(credential)).error?.message),
			/answered HTTP 401/,
			'the first execution fetches a token, which is refused',
		);
		const before = auth.counts.total;
		const requests = api.requests.length;
		const { error } = await callMe(credential, 5);
		assert.match(String(error?.message), /answered HTTP 401/);
		assert.equal(auth.counts.total - before, 1, 'one refresh after the stored token was refused');
		assert.equal(api.requests.length - requests, 2, 'the call with the stored token, then one with the new token');
	});

	test('Never Error also returns a refusal that outlived the refresh', async () => {
		const api = await startApiServer({ authorize: () => false });
		servers.push(api);
		const { error, output } = await callMe(password(auth, { baseUrl: api.url }), 1, { response: { neverError: true, fullResponse: true } });
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].statusCode, 401);
		assert.deepEqual(output[0].body, { error: 'unauthorized' });
	});

	test('a wrong password names the cause and never shows the password', async () => {
		const { error } = await callMe(password(auth, { password: 'Wrong-Pa55' }));
		const text = `${error?.message} ${(error as { description?: string })?.description ?? ''}`;
		assert.match(text, /refused the request \(HTTP 400, invalid_grant: Invalid username or password\)\. Check the username and password/);
		assert.doesNotMatch(text, /Wrong-Pa55/);
	});

	test('a wrong client secret names the client', async () => {
		const { error } = await callMe(password(auth, { clientSecret: 'not-the-secret' }));
		assert.match(String(error?.message), /refused the client \(HTTP 401.*invalid_client.*Check the client ID and secret/);
		assert.doesNotMatch(String(error?.message), /not-the-secret/);
	});

	test("a token endpoint behind mTLS, with the credential's client certificate", async () => {
		const server = await startOAuth2Server({ tls: 'mtls', clients: [CLIENT], users: [USER] });
		servers.push(server);
		const credential = password(server, {
			useTls: true,
			clientCertificateFormat: 'pem',
			certificate: pki.client.cert,
			privateKey: pki.client.keyPkcs8,
			caCertificates: pki.ca.cert,
		});
		const { error, output } = await callMe(credential);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].sub, USER.username);
		assert.equal(server.counts.password, 1);
	});
});

describe('Token endpoint faults are named', () => {
	const faults: Array<[Parameters<OAuth2Server['setFault']>[0], RegExp]> = [
		[500, /failed \(HTTP 500, .*try again later/],
		['html', /answered an HTML page \(text\/html, \d+ bytes, an HTML page\) instead of a token\. Check the Token URL/],
		['non-json', /answered something that is not a JSON object \(text\/plain, \d+ bytes\)/],
		['no-token', /answered without a token at "access_token" \(application\/json, \d+ bytes, fields: token_type, expires_in\)/],
	];
	for (const [fault, message] of faults) {
		test(`${fault}`, async () => {
			const credential = add('apiConnectorPasswordGrantOAuth2Api', {
				tokenUrl: auth.tokenUrl,
				baseUrl: auth.url,
				...USER,
				clientId: CLIENT.id,
				clientSecret: CLIENT.secret,
			});
			auth.setFault(fault, 1);
			const before = auth.counts.total;
			const { error } = await callMe(credential, 20, { options: { concurrency: 4 } });
			assert.match(String(error?.message), message);
			assert.equal(auth.counts.total - before, 1, 'one token request per execution, not one per item');
		});
	}
});

describe('OAuth2 custom token request', () => {
	const values = (pairs: Record<string, string>) => ({ values: Object.entries(pairs).map(([name, value]) => ({ name, value })) });

	test('fills placeholders, reads the token and its lifetime by path, sends it as the credential says', async () => {
		const api = await startApiServer({
			authorize: (req) => auth.validate(String(req.headers.authorization).replace(/^Token /, '')).active,
		});
		servers.push(api);
		const before = auth.counts.custom;
		const credential = add('apiConnectorCustomTokenOAuth2Api', {
			tokenUrl: auth.customLoginUrl,
			baseUrl: api.url,
			bodyType: 'json',
			body: '{"user": "<user>", "pass": "<pass>"}',
			privateValues: values({ user: USER.username, pass: USER.password }),
			answerPath: 'data.session.key',
			lifetimePath: 'data.session.ttl',
			placement: 'header',
			headerName: 'Authorization',
			prefixFormat: 'token',
		});
		const { error, output } = await callMe(credential, 10, { url: '/api/echo' });
		assert.equal(error, undefined, String(error?.message));
		assert.match(String((output[0].headers as Record<string, string>).authorization), /^Token /);
		assert.equal(auth.counts.custom - before, 1);
		assert.ok(Number(stored(credential).tokenExpiresAt) > Date.now(), 'the lifetime was read');
	});

	test('can send the token as a query parameter', async () => {
		const credential = add('apiConnectorCustomTokenOAuth2Api', {
			tokenUrl: auth.customLoginUrl,
			baseUrl: auth.url,
			bodyType: 'json',
			body: '{"user": "<user>", "pass": "<pass>"}',
			privateValues: values({ user: USER.username, pass: USER.password }),
			answerPath: 'data.session.key',
			placement: 'query',
			queryParameter: 'access_token',
		});
		const { error, output } = await callMe(credential);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].sub, USER.username);
	});

	test('a placeholder without a value is named, and nothing is sent', async () => {
		const before = auth.counts.custom;
		const credential = add('apiConnectorCustomTokenOAuth2Api', {
			tokenUrl: auth.customLoginUrl,
			baseUrl: auth.url,
			body: '{"user": "<user>", "pass": "<password>"}',
			privateValues: values({ user: USER.username, pass: USER.password }),
			answerPath: 'data.session.key',
		});
		const { error } = await callMe(credential);
		assert.match(String(error?.message), /uses <password>, but no private value has that name/);
		assert.equal(auth.counts.custom, before);
	});

	test('a refused login names the endpoint and the fix', async () => {
		const credential = add('apiConnectorCustomTokenOAuth2Api', {
			tokenUrl: auth.customLoginUrl,
			baseUrl: auth.url,
			body: '{"user": "<user>", "pass": "<pass>"}',
			privateValues: values({ user: USER.username, pass: 'nope-123' }),
			answerPath: 'data.session.key',
		});
		const { error } = await callMe(credential);
		assert.match(String(error?.message), /custom\/login refused the client \(HTTP 401, .*bad login/);
	});
});

describe('JWT bearer grant', () => {
	const keys: Record<string, { privateKey: KeyObject; publicKey: KeyObject }> = {
		RS: generateKeyPairSync('rsa', { modulusLength: 2048 }),
		ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
		ES384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
		ES512: generateKeyPairSync('ec', { namedCurve: 'P-521' }),
	};
	const keyFor = (alg: string) => (alg.startsWith('ES') ? keys[alg] : keys.RS);
	const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
	let jwtServer: OAuth2Server;

	before(async () => {
		jwtServer = await startOAuth2Server({
			jwtIssuers: [
				...algorithms.map((alg) => ({ issuer: `robot-${alg}@example.iam`, publicKey: keyFor(alg).publicKey })),
				{ issuer: 'pkcs1@example.iam', publicKey: keys.RS.publicKey },
			],
		});
		servers.push(jwtServer);
	});

	const jwt = (alg: string, data: Record<string, unknown> = {}) =>
		add('apiConnectorJwtBearerApi', {
			mode: 'exchange',
			tokenUrl: jwtServer.tokenUrl,
			baseUrl: jwtServer.url,
			issuer: `robot-${alg}@example.iam`,
			algorithm: alg,
			jwtPrivateKey: keyFor(alg).privateKey.export({ type: 'pkcs8', format: 'pem' }),
			keyId: `kid-${alg}`,
			...data,
		});

	for (const alg of algorithms) {
		test(`${alg}: the server verifies the assertion and issues a token`, async () => {
			const subject = `${alg}-subject-${unique}`;
			const { error, output } = await callMe(jwt(alg, { scope: 'read write', subject }));
			assert.equal(error, undefined, String(error?.message));
			assert.equal(output[0].sub, subject);
			assert.equal(jwtServer.lastAssertion?.header.alg, alg);
			assert.equal(jwtServer.lastAssertion?.header.kid, `kid-${alg}`);
			assert.equal(jwtServer.lastAssertion?.payload.aud, jwtServer.tokenUrl);
			assert.equal(jwtServer.lastAssertion?.payload.scope, 'read write');
		});
	}

	test('a PKCS#1 key (as in the seed) and an encrypted PKCS#8 key both sign', async () => {
		const pkcs1 = keys.RS.privateKey.export({ type: 'pkcs1', format: 'pem' });
		assert.equal((await callMe(jwt('RS256', { issuer: 'pkcs1@example.iam', jwtPrivateKey: pkcs1 }))).error, undefined);
		const encrypted = keys.RS.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pp' });
		const { error } = await callMe(jwt('RS256', { issuer: 'pkcs1@example.iam', jwtPrivateKey: encrypted, jwtPassphrase: 'pp' }));
		assert.equal(error, undefined, String(error?.message));
	});

	test('one signature and one token request for 100 items', async () => {
		const before = jwtServer.counts.total;
		const { error } = await callMe(jwt('ES256'), 100, { options: { concurrency: 8 } });
		assert.equal(error, undefined);
		assert.equal(jwtServer.counts.total - before, 1);
	});

	test('a key that does not match the registered one: the refusal is explained', async () => {
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
		const { error } = await callMe(jwt('RS256', { jwtPrivateKey: other }));
		assert.match(
			String(error?.message),
			/invalid_grant: bad signature\)\. The signed assertion was refused: check .*key is the one registered/,
		);
	});

	test('a mis-addressed assertion (wrong audience)', async () => {
		const { error } = await callMe(jwt('RS256', { audience: 'https://elsewhere.example/token' }));
		assert.match(String(error?.message), /wrong audience/);
	});

	test('a lifetime above what the provider allows', async () => {
		const { error } = await callMe(jwt('RS256', { lifetime: 7200 }));
		assert.match(String(error?.message), /lifetime/i);
	});

	test('a key of the wrong type for the algorithm is refused before any request', async () => {
		const before = jwtServer.counts.total;
		const { error } = await callMe(jwt('ES256', { jwtPrivateKey: keys.RS.privateKey.export({ type: 'pkcs8', format: 'pem' }) }));
		assert.match(String(error?.message), /ES256 needs an EC P-256 private key, but this is an RSA key/);
		assert.equal(jwtServer.counts.total, before);
	});

	test('self-signed mode sends the signed JWT itself, verifiable with the public key', async () => {
		const api = await startApiServer();
		servers.push(api);
		const credential = add('apiConnectorJwtBearerApi', {
			mode: 'selfSigned',
			baseUrl: api.url,
			issuer: 'issuer-id-123',
			audience: 'appstoreconnect-v1',
			algorithm: 'ES256',
			keyId: 'KEY123',
			lifetime: 1200,
			jwtPrivateKey: keys.ES256.privateKey.export({ type: 'sec1', format: 'pem' }),
		});
		const { error, output } = await callMe(credential, 5, { url: '/api/echo' });
		assert.equal(error, undefined, String(error?.message));
		const token = String((output[0].headers as Record<string, string>).authorization).replace(/^Bearer /, '');
		const publicKey = await importSPKI(keys.ES256.publicKey.export({ type: 'spki', format: 'pem' }) as string, 'ES256');
		const { payload, protectedHeader } = await jwtVerify(token, publicKey, { issuer: 'issuer-id-123', audience: 'appstoreconnect-v1' });
		assert.equal(protectedHeader.kid, 'KEY123');
		assert.equal((payload.exp as number) - (payload.iat as number), 1200);
		assert.equal(new Set(output.map((o) => (o.headers as Record<string, string>).authorization)).size, 1, 'signed once for all items');
	});
});
