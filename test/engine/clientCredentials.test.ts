// OAuth2 client authentication at the token endpoint, through the real engine against the rig's
// strict OAuth2 server: client credentials with a secret (Basic or body), a signed client
// assertion (private_key_jwt, checked by jose on the server: signature, iss, sub, aud, exp, jti
// never reused, x5t#S256) or the client certificate the TLS layer saw (tls_client_auth); the
// same choices on the password grant and the JWT bearer grant.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as wait } from 'node:timers/promises';
import { decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import { makePki, startOAuth2Server, type OAuth2Server, type Pki } from '../rig/index.ts';
import { callWorkflow, createEngine, type Engine } from './engine.ts';

// Characters that break naive encodings of the Basic header (RFC 6749 2.3.1 form-encodes both parts).
const SECRET_CLIENT = { id: 'svc:1 é', secret: 's3cr%t:+é &=/' };
const USER = { username: 'ada', password: 'pä:ss' };

let pki: Pki;
let engine: Engine;
let auth: OAuth2Server;
let mtls: OAuth2Server;
const servers: Array<{ close(): Promise<void> }> = [];

before(async () => {
	pki = await makePki();
	engine = await createEngine();
	auth = await startOAuth2Server({
		users: [USER],
		clients: [
			SECRET_CLIENT,
			// Entra ID-like: the certificate is registered, assertions must name it by x5t#S256.
			{ id: 'entra-app', assertionKey: pki.client.cert, certificate: pki.client.cert, requireThumbprint: true },
			// Okta-like: a registered public key (EC), identified by kid.
			{ id: 'okta-app', assertionKey: pki.clientEc.cert },
			// Registered with a certificate that has since expired.
			{ id: 'expired-app', assertionKey: pki.clientExpired.cert, certificate: pki.clientExpired.cert },
		],
		jwtIssuers: [{ issuer: 'robot@example.iam', publicKey: pki.clientEc.cert }],
	});
	mtls = await startOAuth2Server({ tls: 'mtls', clients: [{ id: 'tls-app', certificate: pki.client.cert }] });
	servers.push(auth, mtls);
});
after(async () => await Promise.all(servers.map(async (server) => await server.close())));

// Tokens are remembered per credential; each test gets its own scope and so its own token.
let unique = 0;
function add(type: string, data: Record<string, unknown>) {
	return { type, ...engine.credentials.add(type, { testUrl: '/api/me', scope: `test-${++unique}`, ...data }) };
}

async function callMe(credential: { type: string; id: string; name: string }, count = 1) {
	const result = await engine.run(callWorkflow({ authentication: credential.type, method: 'GET', url: '/api/me' }, { credential, count }), {
		mode: 'trigger',
	});
	return { error: result.error('Call') ?? result.error(), output: result.output('Call') };
}

const clientCredentials = (server: OAuth2Server, data: Record<string, unknown>) =>
	add('apiConnectorClientCredentialsOAuth2Api', { tokenUrl: server.tokenUrl, baseUrl: server.url, ...data });

const entra = (data: Record<string, unknown> = {}) =>
	clientCredentials(auth, {
		clientId: 'entra-app',
		clientAuthentication: 'privateKeyJwt',
		clientAssertionKey: pki.client.keyPkcs1,
		clientAssertionCertificate: pki.client.cert,
		...data,
	});

/** The message of an error, with its description, for checks that no secret is quoted. */
const textOf = (error: unknown) => `${(error as Error)?.message} ${(error as { description?: string })?.description ?? ''}`;

describe('OAuth2 client credentials', () => {
	test('client secret in the Basic header: one token for 100 items and 2 executions; extra parameters reach the token endpoint', async () => {
		const before = auth.counts.client_credentials ?? 0;
		const credential = clientCredentials(auth, {
			clientId: SECRET_CLIENT.id,
			clientSecret: SECRET_CLIENT.secret,
			extraTokenParameters: {
				values: [
					{ name: 'audience', value: 'https://api.example.com/' },
					{ name: 'resource', value: 'urn:orders' },
					{ name: 'grant_type', value: 'password' }, // cannot override the grant
				],
			},
		});
		for (let run = 0; run < 2; run++) {
			const { error, output } = await callMe(credential, 50);
			assert.equal(error, undefined, String(error?.message));
			assert.equal(output.length, 50);
			assert.equal(output[0].sub, SECRET_CLIENT.id);
		}
		assert.equal((auth.counts.client_credentials ?? 0) - before, 1);
		assert.equal(auth.log.at(-1)?.clientAuth, 'basic');
		assert.equal(auth.lastTokenParams?.audience, 'https://api.example.com/');
		assert.equal(auth.lastTokenParams?.resource, 'urn:orders');
		assert.equal(auth.lastTokenParams?.grant_type, 'client_credentials');
	});

	test('client secret in the body', async () => {
		const { error } = await callMe(
			clientCredentials(auth, { clientId: SECRET_CLIENT.id, clientSecret: SECRET_CLIENT.secret, clientAuthentication: 'body' }),
		);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(auth.log.at(-1)?.clientAuth, 'body');
	});

	test('a wrong secret: the client is named as refused, the secret is not quoted', async () => {
		const { error } = await callMe(clientCredentials(auth, { clientId: SECRET_CLIENT.id, clientSecret: 'Not-The-Secret-42' }));
		assert.match(
			String(error?.message),
			/refused the client \(HTTP 401, invalid_client: wrong client secret\)\. Check the client ID and secret/,
		);
		assert.doesNotMatch(textOf(error), /Not-The-Secret-42/);
	});

	test('private_key_jwt, Entra-style (RS256, PKCS#1 key, certificate thumbprints): the assertion verifies with jose', async () => {
		const { error, output } = await callMe(entra());
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].sub, 'entra-app');
		assert.equal(auth.log.at(-1)?.clientAuth, 'private_key_jwt');
		const params = auth.lastTokenParams ?? {};
		assert.equal(params.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
		assert.equal(params.client_secret, undefined);
		// An independent check of what the server accepted: jose, the registered certificate, the DER's hashes.
		const verified = await jwtVerify(params.client_assertion, await importX509(pki.client.cert, 'RS256'), {
			issuer: 'entra-app',
			subject: 'entra-app',
			audience: auth.tokenUrl,
		});
		assert.equal(verified.payload.exp! - verified.payload.iat!, 300);
		assert.match(String(verified.payload.jti), /^[0-9a-f-]{36}$/);
		const der = new X509Certificate(pki.client.cert).raw;
		const header = decodeProtectedHeader(params.client_assertion);
		assert.equal(header['x5t#S256'], createHash('sha256').update(der).digest('base64url'));
		assert.equal(header.x5t, createHash('sha1').update(der).digest('base64url'));
	});

	test('private_key_jwt: every token request signs a new assertion (the server refuses a reused jti)', async () => {
		const server = await startOAuth2Server({
			lifetime: 2,
			clients: [{ id: 'entra-app', assertionKey: pki.client.cert, certificate: pki.client.cert, requireThumbprint: true }],
		});
		servers.push(server);
		const credential = clientCredentials(server, {
			clientId: 'entra-app',
			clientAuthentication: 'privateKeyJwt',
			clientAssertionKey: pki.client.keyPkcs8Encrypted,
			clientAssertionPassphrase: pki.passphrase,
			clientAssertionAlgorithm: 'PS256',
			clientAssertionCertificate: pki.client.cert,
		});
		assert.equal((await callMe(credential)).error, undefined);
		const first = server.lastClientAssertion?.payload.jti;
		await wait(1700); // past 80% of the 2 s lifetime
		const { error } = await callMe(credential);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(server.counts.client_credentials, 2);
		assert.notEqual(server.lastClientAssertion?.payload.jti, first);
		assert.equal(server.lastClientAssertion?.header.alg, 'PS256');
		assert.equal(server.log.filter((entry) => !entry.ok).length, 0);
	});

	test('private_key_jwt, Okta-style (ES256, SEC1 EC key, kid)', async () => {
		const { error } = await callMe(
			clientCredentials(auth, {
				clientId: 'okta-app',
				clientAuthentication: 'privateKeyJwt',
				clientAssertionKey: pki.clientEc.keySec1,
				clientAssertionAlgorithm: 'ES256',
				clientAssertionKeyId: 'okta-kid-1',
			}),
		);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(auth.lastClientAssertion?.header.kid, 'okta-kid-1');
		assert.equal(auth.lastClientAssertion?.header.alg, 'ES256');
	});

	test('private_key_jwt with a key that is not the registered one: the refusal names the key, not the secret', async () => {
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
		const { error } = await callMe(entra({ clientAssertionKey: other, clientAssertionCertificate: '' }));
		assert.match(
			String(error?.message),
			/refused the client \(HTTP 401, invalid_client: bad client assertion signature\)\. Check the client ID, that the private key \(or the certificate\) is the one registered/,
		);
		assert.doesNotMatch(textOf(error), new RegExp(other.split('\n')[1].slice(0, 30).replace(/[+/]/g, '\\$&')));
	});

	test('private_key_jwt: a certificate that does not hold the key is refused before any request', async () => {
		const before = auth.counts.total;
		const { error } = await callMe(entra({ clientAssertionCertificate: pki.clientEc.cert }));
		assert.match(String(error?.message), /Client Assertion Certificate does not belong to the private key/);
		assert.equal(auth.counts.total, before);
	});

	test('private_key_jwt: an expired certificate is named with its date, before any request', async () => {
		const before = auth.counts.total;
		const { error } = await callMe(entra({ clientId: 'expired-app', clientAssertionCertificate: pki.clientExpired.cert }));
		assert.match(String(error?.message), /Client Assertion Certificate expired on \d{4}-\d{2}-\d{2}\. Register a new certificate/);
		assert.equal(auth.counts.total, before);
	});

	test("private_key_jwt: the provider's own refusal of an expired registration is explained", async () => {
		// Without the certificate in the credential the node cannot know; the server says it.
		const { error } = await callMe(entra({ clientId: 'expired-app', clientAssertionCertificate: '' }));
		assert.match(String(error?.message), /invalid_client: the registered certificate has expired/);
	});

	test('tls_client_auth: the certificate the TLS layer saw is the client, no secret is sent', async () => {
		const credential = clientCredentials(mtls, {
			clientId: 'tls-app',
			clientAuthentication: 'tlsClientAuth',
			clientSecret: 'never-sent-secret',
			useTls: true,
			clientCertificateFormat: 'pem',
			certificate: pki.client.cert,
			privateKey: pki.client.keyPkcs8,
			caCertificates: pki.ca.cert,
		});
		const { error, output } = await callMe(credential);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].sub, 'tls-app');
		assert.equal(mtls.log.at(-1)?.clientAuth, 'tls_client_auth');
		assert.equal(mtls.lastTokenParams?.client_secret, undefined);
	});

	test('tls_client_auth with another certificate of the same CA: refused, and the message says which certificate', async () => {
		const { error } = await callMe(
			clientCredentials(mtls, {
				clientId: 'tls-app',
				clientAuthentication: 'tlsClientAuth',
				useTls: true,
				clientCertificateFormat: 'pem',
				certificate: pki.clientEc.cert,
				privateKey: pki.clientEc.keyPkcs8,
				caCertificates: pki.ca.cert,
			}),
		);
		assert.match(
			String(error?.message),
			/invalid_client: the client certificate is not the registered one\)\. Check the client ID, and that the client certificate/,
		);
	});

	test('tls_client_auth without a client certificate: a clear error, no request', async () => {
		const before = mtls.counts.total;
		const { error } = await callMe(clientCredentials(mtls, { clientId: 'tls-app', clientAuthentication: 'tlsClientAuth' }));
		assert.match(String(error?.message), /no client certificate is set\. Turn on "Client Certificate or Private CA"/);
		assert.equal(mtls.counts.total, before);
	});
});

describe('The same client authentication on the other grants', () => {
	test('password grant with a signed client assertion', async () => {
		const { error, output } = await callMe(
			add('apiConnectorPasswordGrantOAuth2Api', {
				tokenUrl: auth.tokenUrl,
				baseUrl: auth.url,
				username: USER.username,
				password: USER.password,
				clientId: 'okta-app',
				clientAuthentication: 'privateKeyJwt',
				clientAssertionKey: pki.clientEc.keyPkcs8,
				clientAssertionAlgorithm: 'ES256',
			}),
		);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].sub, USER.username);
		assert.equal(auth.log.at(-1)?.clientAuth, 'private_key_jwt');
	});

	const jwtBearer = (data: Record<string, unknown>) =>
		add('apiConnectorJwtBearerApi', {
			mode: 'exchange',
			tokenUrl: auth.tokenUrl,
			baseUrl: auth.url,
			issuer: 'robot@example.iam',
			algorithm: 'ES256',
			jwtPrivateKey: pki.clientEc.keyPkcs8,
			...data,
		});

	test('JWT bearer with an empty Subject sends the issuer as sub (RFC 7523 3), which a strict server requires', async () => {
		const { error, output } = await callMe(jwtBearer({ subject: '' }));
		assert.equal(error, undefined, String(error?.message));
		assert.equal(auth.lastAssertion?.payload.sub, 'robot@example.iam');
		assert.equal(output[0].sub, 'robot@example.iam');
	});

	test('JWT bearer with client authentication by signed assertion and extra token parameters', async () => {
		const { error } = await callMe(
			jwtBearer({
				subject: 'ada',
				clientId: 'entra-app',
				clientAuthentication: 'privateKeyJwt',
				clientAssertionKey: pki.client.keyPkcs8,
				clientAssertionCertificate: pki.client.cert,
				extraTokenParameters: { values: [{ name: 'resource', value: 'urn:orders' }] },
			}),
		);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(auth.log.at(-1)?.clientAuth, 'private_key_jwt');
		assert.equal(auth.lastTokenParams?.resource, 'urn:orders');
		assert.equal(auth.lastAssertion?.payload.sub, 'ada');
		assert.equal(auth.lastClientAssertion?.payload.iss, 'entra-app');
	});
});
