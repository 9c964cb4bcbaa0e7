// Client certificates (mTLS) and private CAs through the real engine, against HTTPS servers
// with certificates the tests make: every key form, PKCS#12, chains, and each failure with its
// own message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { makePki, startApiServer, type ApiServer, type Pki } from '../rig/index.ts';
import { callWorkflow, createEngine, testCredential, type Engine } from './engine.ts';

let pki: Pki;
let mtls: ApiServer;
let https: ApiServer;
let engine: Engine;
const servers: ApiServer[] = [];
before(async () => {
	pki = await makePki();
	mtls = await startApiServer({ tls: 'mtls' });
	https = await startApiServer({ tls: 'server' });
	servers.push(mtls, https);
	engine = await createEngine();
});
after(async () => await Promise.all(servers.map(async (server) => await server.close())));

async function call(url: string, type: string, data: Record<string, unknown>) {
	const credential = { type, ...engine.credentials.add(type, { testUrl: `${url}/api/me`, ...data }) };
	const result = await engine.run(
		callWorkflow({ authentication: type, environment: 'live', method: 'GET', url: `${url}/api/echo` }, { credential }),
	);
	return {
		error: result.error('Call') ?? result.error(),
		seen: result.output('Call')[0] as { clientCN?: string; headers: Record<string, string> },
	};
}

const pem = (cert: string, key: string, extra: Record<string, unknown> = {}) => ({
	clientCertificateFormat: 'pem',
	certificate: cert,
	privateKey: key,
	caCertificates: pki.ca.cert,
	...extra,
});

describe('Client Certificate (mTLS)', () => {
	const forms: Array<[string, () => Record<string, unknown>]> = [
		['PKCS#1 RSA key', () => pem(pki.client.cert, pki.client.keyPkcs1)],
		['PKCS#8 RSA key', () => pem(pki.client.cert, pki.client.keyPkcs8)],
		['encrypted PKCS#8 key with its passphrase', () => pem(pki.client.cert, pki.client.keyPkcs8Encrypted, { passphrase: pki.passphrase })],
		[
			'legacy encrypted PKCS#1 key with its passphrase',
			() => pem(pki.client.cert, pki.client.keyPkcs1Encrypted, { passphrase: pki.passphrase }),
		],
		['EC SEC1 key', () => pem(pki.clientEc.cert, pki.clientEc.keySec1)],
		['certificate with its intermediate (chain)', () => pem(pki.clientChain.cert, pki.clientChain.key)],
		[
			'PKCS#12 with passphrase',
			() => ({ clientCertificateFormat: 'pfx', pfx: pki.pfx, passphrase: pki.passphrase, caCertificates: pki.ca.cert }),
		],
		['PKCS#12 without passphrase', () => ({ clientCertificateFormat: 'pfx', pfx: pki.pfxNoPassphrase, caCertificates: pki.ca.cert })],
		['PEM pasted with Windows line endings', () => pem(pki.client.cert.replace(/\n/g, '\r\n'), pki.client.keyPkcs8.replace(/\n/g, '\r\n'))],
		['PEM pasted onto one line', () => pem(pki.client.cert.replace(/\n/g, ' '), pki.client.keyPkcs8.replace(/\n/g, ' '))],
	];
	for (const [name, data] of forms) {
		test(`authenticates with a ${name}`, async () => {
			const { error, seen } = await call(mtls.url, 'apiConnectorClientCertificateApi', data());
			assert.equal(error, undefined, String(error?.message));
			assert.ok(seen.clientCN, 'the server saw a client certificate');
		});
	}

	test('combines with another method: header key plus client certificate on one call', async () => {
		const { error, seen } = await call(mtls.url, 'apiConnectorHeaderKeyApi', {
			headerName: 'X-API-Key',
			prefixFormat: 'plain',
			apiKey: 'k-1',
			useTls: true,
			...pem(pki.client.cert, pki.client.keyPkcs8),
		});
		assert.equal(error, undefined, String(error?.message));
		assert.equal(seen.headers['x-api-key'], 'k-1');
		assert.equal(seen.clientCN, pki.client.cn);
	});
});

describe('TLS failures each say what to fix', () => {
	test('no client certificate where the server requires one', async () => {
		const { error } = await call(mtls.url, 'apiConnectorHeaderKeyApi', {
			headerName: 'X-Key',
			apiKey: 'k',
			useTls: true,
			clientCertificateFormat: 'none',
			caCertificates: pki.ca.cert,
		});
		assert.match(String(error?.message), /requires a client certificate|closed the connection|refused the client certificate/);
	});

	test('a client certificate from a CA the server does not trust is refused', async () => {
		const { error } = await call(mtls.url, 'apiConnectorClientCertificateApi', pem(pki.clientOtherCa.cert, pki.clientOtherCa.key));
		assert.match(
			String(error?.message),
			/does not trust the CA that signed the client certificate|refused the client certificate|does not know the client certificate/,
		);
	});

	test('a wrong passphrase', async () => {
		const { error } = await call(
			mtls.url,
			'apiConnectorClientCertificateApi',
			pem(pki.client.cert, pki.client.keyPkcs8Encrypted, { passphrase: 'wrong' }),
		);
		assert.match(String(error?.message), /wrong passphrase/);
	});

	test('a missing passphrase', async () => {
		const { error } = await call(mtls.url, 'apiConnectorClientCertificateApi', pem(pki.client.cert, pki.client.keyPkcs8Encrypted));
		assert.match(String(error?.message), /encrypted\. Enter its passphrase/);
	});

	test('a wrong PKCS#12 passphrase', async () => {
		const { error } = await call(mtls.url, 'apiConnectorClientCertificateApi', {
			clientCertificateFormat: 'pfx',
			pfx: pki.pfx,
			passphrase: 'nope',
			caCertificates: pki.ca.cert,
		});
		assert.match(String(error?.message), /wrong passphrase for the PKCS#12 file/);
	});

	test('a key that does not belong to the certificate', async () => {
		const { error } = await call(mtls.url, 'apiConnectorClientCertificateApi', pem(pki.client.cert, pki.clientEc.keyPkcs8));
		assert.match(String(error?.message), /private key does not belong to the certificate/);
	});

	test('an expired client certificate', async () => {
		const { error } = await call(mtls.url, 'apiConnectorClientCertificateApi', pem(pki.clientExpired.cert, pki.clientExpired.key));
		assert.match(String(error?.message), /expired on/);
	});

	test('text that is not PEM', async () => {
		const { error } = await call(mtls.url, 'apiConnectorClientCertificateApi', pem('not a certificate', pki.client.keyPkcs8));
		assert.match(String(error?.message), /expected PEM text starting with "-----BEGIN CERTIFICATE-----"/);
	});

	test('a server certificate from an unknown CA, without a CA bundle', async () => {
		const { error } = await call(https.url, 'apiConnectorHeaderKeyApi', { headerName: 'X-Key', apiKey: 'k' });
		assert.match(String(error?.message), /signed by a CA this n8n does not trust: add that CA under "CA Certificates"/);
	});

	test('a private CA bundle makes the same server trusted', async () => {
		const { error } = await call(https.url, 'apiConnectorHeaderKeyApi', {
			headerName: 'X-Key',
			apiKey: 'k',
			useTls: true,
			clientCertificateFormat: 'none',
			caCertificates: pki.ca.cert,
		});
		assert.equal(error, undefined, String(error?.message));
	});
});

describe('the Test button says what is wrong with TLS, as the node does', () => {
	const test_ = async (type: string, data: Record<string, unknown>) => await testCredential(engine, type, data);

	test('a server CA n8n does not trust', async () => {
		const result = await test_('apiConnectorBasicAuthApi', { username: 'u', password: 'p', baseUrl: https.url, testUrl: '/api/me' });
		assert.equal(result.status, 'Error');
		assert.match(result.message, /the server certificate is signed by a CA this n8n does not trust: add that CA under "CA Certificates"/);
	});

	test('a server that requires a client certificate and got none', async () => {
		const result = await test_('apiConnectorHeaderKeyApi', {
			headerName: 'X-Key',
			apiKey: 'k',
			baseUrl: mtls.url,
			testUrl: '/api/me',
			useTls: true,
			clientCertificateFormat: 'none',
			caCertificates: pki.ca.cert,
		});
		assert.equal(result.status, 'Error');
		assert.match(result.message, /requires a client certificate|closed the connection/);
	});

	test('a good client certificate passes', async () => {
		const result = await test_('apiConnectorClientCertificateApi', {
			...pem(pki.client.cert, pki.client.keyPkcs8),
			baseUrl: mtls.url,
			testUrl: '/api/me',
		});
		assert.deepEqual(result, { status: 'OK', message: 'The API accepted the credential.' });
	});
});
