// Every credential type of the package in a real n8n: the Test button's code path (good and
// bad), n8n's own HTTP Request node, and Configured API Call, against the rig's servers.
// E2E_N8N_VERSION picks another n8n (test/e2e/minimum.test.ts runs this file on the oldest
// version the README names).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { makePki, startApiServer, startOAuth2Server, type ApiServer, type OAuth2Server, type Pki } from '../rig/index.ts';
import { ensureN8n, packPackage, startN8n, type N8nInstance } from './n8n.ts';
import { callNode, chain, httpRequestNode, manualTrigger, webhookTrigger } from './workflows.ts';

const USER = { username: 'grace', password: 'hö:pper "1906"' };
const CLIENT = { id: 'n8n-app', secret: 'n8n-app-secret' };
const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let n8n: N8nInstance;
let pki: Pki;
let api: ApiServer;
let mtls: ApiServer;
let auth: OAuth2Server;
let mtlsAuth: OAuth2Server;

before(
	async () => {
		pki = await makePki();
		api = await startApiServer({
			authorize: (req) =>
				req.headers['x-api-key'] === 'live-key' ||
				req.query.key === 'live-key' ||
				req.headers.authorization === `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}` ||
				req.headers['x-app-token'] === 'self-handled',
		});
		mtls = await startApiServer({ tls: 'mtls' });
		mtlsAuth = await startOAuth2Server({ tls: 'mtls', clients: [{ id: 'tls-app', certificate: pki.client.cert }] });
		auth = await startOAuth2Server({
			clients: [
				CLIENT,
				{ id: 'entra-app', assertionKey: pki.client.cert, certificate: pki.client.cert, requireThumbprint: true },
				{ id: 'expired-app', assertionKey: pki.clientExpired.cert, certificate: pki.clientExpired.cert },
			],
			users: [USER],
			jwtIssuers: [{ issuer: 'robot@e2e.iam', publicKey: jwtKey.publicKey }],
		});
		const version = process.env.E2E_N8N_VERSION || undefined;
		await ensureN8n(version);
		n8n = await startN8n({ tarball: packPackage(), version });
		console.log(`[e2e] credentials in n8n ${version ?? 'default'}`);
	},
	{ timeout: 20 * 60_000 },
);
after(async () => {
	await n8n?.stop();
	await Promise.all([api?.close(), mtls?.close(), auth?.close(), mtlsAuth?.close()]);
});

interface Case {
	type: string;
	good: () => Record<string, unknown>;
	/** A broken variant and the message the Test button must show for it. */
	bad: () => Record<string, unknown>;
	badMessage: RegExp;
	/** A secret of the broken variant that must not appear in the message. */
	badSecret?: string;
	url: () => string;
}

const cases: Case[] = [
	{
		type: 'apiConnectorHeaderKeyApi',
		good: () => ({ headerName: 'X-API-Key', prefixFormat: 'plain', apiKey: 'live-key', testUrl: `${api.url}/api/me` }),
		bad: () => ({
			headerName: 'X-API-Key',
			prefixFormat: 'plain',
			apiKey: 'live-key',
			developmentApiKey: 'dev-wrong-1',
			testUrl: `${api.url}/api/me`,
		}),
		badMessage: /live key accepted; development key refused \(HTTP 401\)/,
		badSecret: 'dev-wrong-1',
		url: () => `${api.url}/api/echo`,
	},
	{
		type: 'apiConnectorQueryKeyApi',
		good: () => ({ parameterName: 'key', apiKey: 'live-key', testUrl: `${api.url}/api/me` }),
		bad: () => ({ parameterName: 'key', apiKey: 'wrong-q-2', testUrl: `${api.url}/api/me` }),
		badMessage: /live key refused \(HTTP 401\)/,
		badSecret: 'wrong-q-2',
		url: () => `${api.url}/api/echo`,
	},
	{
		type: 'apiConnectorBasicAuthApi',
		good: () => ({ ...USER, testUrl: `${api.url}/api/me` }),
		bad: () => ({ username: USER.username, password: 'wrong-pw-3', testUrl: `${api.url}/api/me` }),
		badMessage: /refused the credential \(HTTP 401\)/,
		badSecret: 'wrong-pw-3',
		url: () => `${api.url}/api/echo`,
	},
	{
		type: 'apiConnectorCustomAuthApi',
		good: () => ({ headers: { values: [{ name: 'X-App-Token', value: 'self-handled' }] }, testUrl: `${api.url}/api/me` }),
		bad: () => ({ headers: { values: [{ name: 'X-App-Token', value: 'wrong-4' }] }, testUrl: `${api.url}/api/me` }),
		badMessage: /refused the credential \(HTTP 401\)/,
		badSecret: 'wrong-4',
		url: () => `${api.url}/api/echo`,
	},
	{
		type: 'apiConnectorClientCertificateApi',
		good: () => ({
			clientCertificateFormat: 'pem',
			certificate: pki.client.cert,
			privateKey: pki.client.keyPkcs8,
			caCertificates: pki.ca.cert,
			testUrl: `${mtls.url}/api/me`,
		}),
		bad: () => ({
			clientCertificateFormat: 'pem',
			certificate: pki.client.cert,
			privateKey: pki.client.keyPkcs8Encrypted,
			passphrase: 'wrong-pass-5',
			caCertificates: pki.ca.cert,
			testUrl: `${mtls.url}/api/me`,
		}),
		badMessage: /wrong passphrase/,
		badSecret: 'wrong-pass-5',
		url: () => `${mtls.url}/api/echo`,
	},
	{
		type: 'apiConnectorPasswordGrantOAuth2Api',
		good: () => ({ tokenUrl: auth.tokenUrl, ...USER, clientId: CLIENT.id, clientSecret: CLIENT.secret, testUrl: auth.apiUrl }),
		bad: () => ({
			tokenUrl: auth.tokenUrl,
			username: USER.username,
			password: 'wrong-pw-6',
			clientId: CLIENT.id,
			clientSecret: CLIENT.secret,
			testUrl: auth.apiUrl,
		}),
		badMessage: /invalid_grant: Invalid username or password\)\. Check the username and password/,
		badSecret: 'wrong-pw-6',
		url: () => auth.apiUrl,
	},
	{
		type: 'apiConnectorClientCredentialsOAuth2Api',
		good: () => ({ tokenUrl: auth.tokenUrl, clientId: CLIENT.id, clientSecret: CLIENT.secret, testUrl: auth.apiUrl }),
		bad: () => ({ tokenUrl: auth.tokenUrl, clientId: CLIENT.id, clientSecret: 'wrong-secret-8', testUrl: auth.apiUrl }),
		badMessage: /refused the client \(HTTP 401, invalid_client: wrong client secret\)\. Check the client ID and secret/,
		badSecret: 'wrong-secret-8',
		url: () => auth.apiUrl,
	},
	{
		type: 'apiConnectorCustomTokenOAuth2Api',
		good: () => ({
			tokenUrl: auth.customLoginUrl,
			body: '{"user": "<user>", "pass": "<pass>"}',
			privateValues: {
				values: [
					{ name: 'user', value: USER.username },
					{ name: 'pass', value: USER.password },
				],
			},
			answerPath: 'data.session.key',
			lifetimePath: 'data.session.ttl',
			testUrl: auth.apiUrl,
		}),
		bad: () => ({
			tokenUrl: auth.customLoginUrl,
			body: '{"user": "<user>", "pass": "<pass>"}',
			privateValues: {
				values: [
					{ name: 'user', value: USER.username },
					{ name: 'pass', value: 'wrong-pw-7' },
				],
			},
			answerPath: 'data.session.key',
			testUrl: auth.apiUrl,
		}),
		badMessage: /refused the client \(HTTP 401, .*bad login/,
		badSecret: 'wrong-pw-7',
		url: () => auth.apiUrl,
	},
	{
		type: 'apiConnectorJwtBearerApi',
		good: () => ({
			mode: 'exchange',
			tokenUrl: auth.tokenUrl,
			issuer: 'robot@e2e.iam',
			algorithm: 'ES256',
			jwtPrivateKey: jwtKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
			testUrl: auth.apiUrl,
		}),
		bad: () => ({
			mode: 'exchange',
			tokenUrl: auth.tokenUrl,
			issuer: 'robot@e2e.iam',
			algorithm: 'ES256',
			jwtPrivateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
			testUrl: auth.apiUrl,
		}),
		badMessage: /bad signature\)\. The signed assertion was refused/,
		url: () => auth.apiUrl,
	},
];

for (const c of cases) {
	describe(c.type, () => {
		let credential: { id: string; name: string; type: string };
		before(async () => {
			credential = await n8n.createCredential({ name: `E2E ${c.type}`, type: c.type, data: c.good() });
		});

		test('Test button: a saved good credential is OK', async () => {
			const result = await n8n.testCredential({ id: credential.id });
			assert.equal(result.status, 'OK', result.message);
		});

		// The editor saves a credential before it tests it. Token types cannot be tested unsaved:
		// n8n stores the token that preAuthentication returns, which needs the credential's id.
		if (!/OAuth2Api$|JwtBearerApi$/.test(c.type)) {
			test('Test button: an unsaved good credential is OK', async () => {
				const result = await n8n.testCredential({ type: c.type, name: 'Unsaved', data: c.good() });
				assert.equal(result.status, 'OK', result.message);
			});
		}

		test('Test button: a broken credential says what is wrong, without the secret', async () => {
			const broken = await n8n.createCredential({ name: `E2E broken ${c.type}`, type: c.type, data: c.bad() });
			const result = await n8n.testCredential({ id: broken.id });
			assert.equal(result.status, 'Error');
			assert.match(result.message, c.badMessage);
			if (c.badSecret) assert.ok(!result.message.includes(c.badSecret), result.message);
		});

		test("n8n's HTTP Request node uses it (Predefined Credential Type)", async () => {
			const id = await n8n.createWorkflow(chain(`HTTP Request ${c.type}`, manualTrigger(), httpRequestNode(c.url(), credential)));
			const run = await n8n.runWorkflowManually(id);
			assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes['HTTP Request']?.error));
			assert.equal(run.nodes['HTTP Request'].json.length, 1);
		});

		test('Configured API Call uses it', async () => {
			const id = await n8n.createWorkflow(
				chain(`Call ${c.type}`, manualTrigger(), callNode({ url: c.url(), environment: 'live' }, credential)),
			);
			const run = await n8n.runWorkflowManually(id);
			assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes.Call?.error));
			assert.equal(run.nodes.Call.json.length, 1);
		});
	});
}

describe('tokens in a real n8n', () => {
	test('one token request for 3 executions of 20 items, stored encrypted in the credential', async () => {
		const server = await startOAuth2Server({ clients: [CLIENT], users: [USER] });
		try {
			const credential = await n8n.createCredential({
				name: 'E2E token count',
				type: 'apiConnectorPasswordGrantOAuth2Api',
				data: {
					tokenUrl: server.tokenUrl,
					...USER,
					clientId: CLIENT.id,
					clientSecret: CLIENT.secret,
					baseUrl: server.url,
					testUrl: '/api/me',
					scope: 'count',
				},
			});
			const id = await n8n.createWorkflow(
				chain('Token count', manualTrigger(), callNode({ url: '/api/me', options: { concurrency: 4 } }, credential)),
			);
			// 20 items: the Manual Trigger gives one, so the node calls once per run; pagination off.
			for (let run = 0; run < 3; run++) {
				const result = await n8n.runWorkflowManually(id);
				assert.equal(result.status, 'success', JSON.stringify(result.nodes.Call?.error));
			}
			assert.equal(server.counts.total, 1);
			assert.equal(server.counts.api, 3);
		} finally {
			await server.close();
		}
	});
});

describe('OAuth2 client credentials: every client authentication in a real n8n', () => {
	const TYPE = 'apiConnectorClientCredentialsOAuth2Api';
	const entra = (data: Record<string, unknown> = {}) => ({
		tokenUrl: auth.tokenUrl,
		testUrl: auth.apiUrl,
		clientId: 'entra-app',
		clientAuthentication: 'privateKeyJwt',
		clientAssertionKey: pki.client.keyPkcs8Encrypted,
		clientAssertionPassphrase: pki.passphrase,
		clientAssertionCertificate: pki.client.cert,
		...data,
	});
	const tlsClient = () => ({
		tokenUrl: mtlsAuth.tokenUrl,
		testUrl: auth.apiUrl,
		clientId: 'tls-app',
		clientAuthentication: 'tlsClientAuth',
		useTls: true,
		clientCertificateFormat: 'pem',
		certificate: pki.client.cert,
		privateKey: pki.client.keyPkcs8,
		caCertificates: pki.ca.cert,
	});
	const testOf = async (name: string, data: Record<string, unknown>) =>
		await n8n.testCredential({ id: (await n8n.createCredential({ name, type: TYPE, data })).id });

	test('Test button: a signed client assertion (Entra-style, encrypted key, certificate thumbprint) is OK', async () => {
		const result = await testOf('CC entra', entra());
		assert.equal(result.status, 'OK', result.message);
		assert.equal(auth.log.at(-1)?.clientAuth, 'private_key_jwt');
	});

	test('Test button: a client certificate (tls_client_auth) is OK', async () => {
		const before = mtlsAuth.counts.client_credentials ?? 0;
		const result = await testOf('CC tls', { ...tlsClient(), testUrl: `${mtlsAuth.url}/api/me` });
		assert.equal(result.status, 'OK', result.message);
		assert.equal((mtlsAuth.counts.client_credentials ?? 0) - before, 1);
		assert.equal(mtlsAuth.log.at(-1)?.clientAuth, 'tls_client_auth');
	});

	test('Test button: a key that is not the registered one says so', async () => {
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
		const result = await testOf(
			'CC wrong key',
			entra({ clientAssertionKey: other, clientAssertionPassphrase: '', clientAssertionCertificate: '' }),
		);
		assert.equal(result.status, 'Error');
		assert.match(result.message, /invalid_client: bad client assertion signature\)\. Check the client ID, that the private key/);
	});

	test('Test button: an expired certificate is named with its date', async () => {
		const result = await testOf(
			'CC expired',
			entra({
				clientId: 'expired-app',
				clientAssertionKey: pki.client.keyPkcs8,
				clientAssertionPassphrase: '',
				clientAssertionCertificate: pki.clientExpired.cert,
			}),
		);
		assert.equal(result.status, 'Error');
		assert.match(result.message, /Client Assertion Certificate expired on \d{4}-\d{2}-\d{2}/);
	});

	test("a manual run, a production (webhook) run and n8n's HTTP Request node, with a signed client assertion", async () => {
		const credential = await n8n.createCredential({ name: 'CC runs', type: TYPE, data: entra() });
		const manual = await n8n.runWorkflowManually(
			await n8n.createWorkflow(chain('CC manual', manualTrigger(), callNode({ url: auth.apiUrl, environment: 'live' }, credential))),
		);
		assert.equal(manual.status, 'success', JSON.stringify(manual.error ?? manual.nodes.Call?.error));
		assert.equal(manual.nodes.Call.json[0].sub, 'entra-app');

		const path = `cc-${Date.now()}`;
		const id = await n8n.createWorkflow(
			chain('CC webhook', webhookTrigger(path), callNode({ url: auth.apiUrl, environment: 'live' }, credential)),
		);
		await n8n.activateWorkflow(id);
		const response = await n8n.callWebhook(path, { body: {} });
		assert.equal(response.status, 200, JSON.stringify(response.body));
		const body = Array.isArray(response.body) ? response.body[0] : response.body;
		assert.equal(body.sub, 'entra-app');

		const http = await n8n.runWorkflowManually(
			await n8n.createWorkflow(chain('CC HTTP Request', manualTrigger(), httpRequestNode(auth.apiUrl, credential))),
		);
		assert.equal(http.status, 'success', JSON.stringify(http.error ?? http.nodes['HTTP Request']?.error));
		assert.equal(http.nodes['HTTP Request'].json[0].sub, 'entra-app');
	});

	test('a client certificate (tls_client_auth) through Configured API Call', async () => {
		const credential = await n8n.createCredential({
			name: 'CC tls run',
			type: TYPE,
			data: { ...tlsClient(), testUrl: `${mtlsAuth.url}/api/me` },
		});
		const run = await n8n.runWorkflowManually(
			await n8n.createWorkflow(
				chain('CC tls', manualTrigger(), callNode({ url: `${mtlsAuth.url}/api/me`, environment: 'live' }, credential)),
			),
		);
		assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes.Call?.error));
		assert.equal(run.nodes.Call.json[0].sub, 'tls-app');
	});
});
