// Faults and bad input through the real engine: each gives an error that names the cause and
// the fix, and nothing is sent that should not be.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makePki, startApiServer, startOAuth2Server, type ApiServer, type OAuth2Server, type Pki } from '../rig/index.ts';
import { callWorkflow, createEngine, type Engine } from './engine.ts';

let pki: Pki;
let engine: Engine;
let api: ApiServer;
let auth: OAuth2Server;
const servers: Array<{ close(): Promise<void> }> = [];
before(async () => {
	pki = await makePki();
	engine = await createEngine();
	api = await startApiServer();
	auth = await startOAuth2Server({ clients: [{ id: 'c', secret: 's' }], users: [{ username: 'u', password: 'p' }] });
	servers.push(api, auth);
});
after(async () => await Promise.all(servers.map(async (server) => await server.close())));

async function run(parameters: Record<string, unknown>, credential?: { type: string; data: Record<string, unknown> }) {
	const reference = credential ? { type: credential.type, ...engine.credentials.add(credential.type, credential.data) } : undefined;
	const result = await engine.run(
		callWorkflow(
			{ authentication: credential?.type ?? 'none', method: 'GET', environment: 'live', ...parameters },
			{ credential: reference },
		),
	);
	return result.error('Call') ?? result.error();
}

const headerKey = (data: Record<string, unknown>) => ({
	type: 'apiConnectorHeaderKeyApi',
	data: { headerName: 'X-Key', apiKey: 'k', prefixFormat: 'plain', ...data },
});

describe('token endpoint', () => {
	test('a token endpoint that never answers times out with the timeout named', async () => {
		auth.setFault('timeout', 1);
		const started = Date.now();
		const error = await run(
			{ url: '/api/me' },
			{
				type: 'apiConnectorPasswordGrantOAuth2Api',
				data: {
					tokenUrl: auth.tokenUrl,
					baseUrl: auth.url,
					username: 'u',
					password: 'p',
					clientId: 'c',
					clientSecret: 's',
					tokenTimeout: 1,
					scope: 'timeout',
				},
			},
		);
		assert.match(String(error?.message), /token endpoint .* could not be reached: it did not answer within 1 s \(Token Request Timeout\)/);
		assert.ok(Date.now() - started < 5000);
	});

	test('an untrusted token endpoint certificate is refused (TLS is verified on token endpoints too)', async () => {
		const tls = await startOAuth2Server({ tls: 'server', clients: [{ id: 'c', secret: 's' }], users: [{ username: 'u', password: 'p' }] });
		servers.push(tls);
		const error = await run(
			{ url: `${api.url}/api/echo`, options: { ignoreSslIssues: true } },
			{
				type: 'apiConnectorPasswordGrantOAuth2Api',
				data: { tokenUrl: tls.tokenUrl, username: 'u', password: 'p', clientId: 'c', clientSecret: 's', scope: 'tls' },
			},
		);
		assert.match(
			String(error?.message),
			/token endpoint .* could not be reached: the server certificate is signed by a CA this n8n does not trust/,
		);
		assert.equal(tls.counts.total, 0);
	});
});

describe('API', () => {
	test('a host name that does not resolve', async () => {
		const error = await run({ url: 'http://no-such-host.invalid/api' });
		assert.match(String(error?.message), /host name (does not resolve|could not be resolved)/);
	});

	test('an invalid URL', async () => {
		const error = await run({ url: 'http://exa mple.com/a b' });
		assert.match(String(error?.message), /URL is not a valid URL/);
	});

	test('a header value with a line break is refused before sending', async () => {
		const before = api.requests.length;
		const error = await run({
			url: `${api.url}/api/echo`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'X-A', value: 'a\r\nX-Injected: 1' }] },
		});
		assert.match(String(error?.message), /contains a line break/);
		assert.equal(api.requests.length, before);
	});
});

describe('server TLS', () => {
	for (const [name, cert, message] of [
		['an expired server certificate', 'serverExpired', /the server certificate has expired/],
		['a certificate for another host name', 'serverWrongHost', /not valid for this host name/],
	] as const) {
		test(name, async () => {
			const server = await startApiServer({ tls: 'server', serverCert: pki[cert] });
			servers.push(server);
			const error = await run(
				{ url: `${server.url}/api/echo` },
				headerKey({ useTls: true, clientCertificateFormat: 'none', caCertificates: pki.ca.cert }),
			);
			assert.match(String(error?.message), message);
		});
	}

	test('Ignore SSL Issues accepts them, only when switched on', async () => {
		const server = await startApiServer({ tls: 'server', serverCert: pki.serverExpired });
		servers.push(server);
		assert.equal(await run({ url: `${server.url}/api/echo`, options: { ignoreSslIssues: true } }), undefined);
	});
});
