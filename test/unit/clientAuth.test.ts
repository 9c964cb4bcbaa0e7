// Client authentication at the token endpoint, from the sources: generated client IDs and
// secrets survive the Basic header's encoding (RFC 6749 2.3.1), and every signed client
// assertion verifies with jose with the claims RFC 7523 asks for.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { IDataObject } from 'n8n-workflow';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { addClientAuth, clientAssertion, CLIENT_ASSERTION_LIFETIME } from '../../credentials/common/clientAuth.ts';

const runs = { numRuns: 300, seed: Number(process.env.FC_SEED ?? 20240611) };

/** The server side of RFC 6749 2.3.1: base64, split at the first colon, form-decode each part. */
function decodeBasic(header: string): [string, string] {
	const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	const formDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
	return [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
}

// Lone surrogates cannot be sent as UTF-8 by anyone; everything else can.
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });

describe('client secret', () => {
	test('in the Basic header, any ID and secret decode to themselves, and nothing goes in the body', () => {
		fc.assert(
			fc.property(text, text, (id, secret) => {
				const form: Record<string, string> = {};
				const headers: IDataObject = {};
				addClientAuth({ clientId: id, clientSecret: secret, clientAuthentication: 'header' }, form, headers, 'https://a.example/token');
				assert.deepEqual(decodeBasic(String(headers.Authorization)), [id, secret]);
				assert.deepEqual(form, {});
			}),
			runs,
		);
	});

	test('in the body, and a client without a secret sends only its ID', () => {
		const form: Record<string, string> = {};
		addClientAuth({ clientId: 'app', clientSecret: 's', clientAuthentication: 'body' }, form, {}, 'https://a.example/token');
		assert.deepEqual(form, { client_id: 'app', client_secret: 's' });
		const publicForm: Record<string, string> = {};
		const headers: IDataObject = {};
		addClientAuth({ clientId: 'app', clientSecret: '' }, publicForm, headers, 'https://a.example/token');
		assert.deepEqual([publicForm, headers], [{ client_id: 'app' }, {}]);
	});
});

describe('signed client assertion (private_key_jwt)', () => {
	const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
	const pem = (key: typeof rsa.privateKey) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

	test('verifies with jose: iss = sub = client ID, aud = token URL or the set audience, a short life, a new jti each time; no secret sent', async () => {
		const jtis = new Set<string>();
		await fc.assert(
			fc.asyncProperty(
				text,
				fc.webUrl(),
				fc.option(fc.webUrl(), { nil: undefined }),
				fc.constantFrom('RS256', 'PS512', 'ES384'),
				async (id, tokenUrl, audience, algorithm) => {
					const pair = algorithm === 'ES384' ? ec : rsa;
					const form: Record<string, string> = {};
					const headers: IDataObject = {};
					const credentials = {
						clientId: id,
						clientSecret: 'must-not-be-sent',
						clientAuthentication: 'privateKeyJwt',
						clientAssertionKey: pem(pair.privateKey),
						clientAssertionAlgorithm: algorithm,
						clientAssertionAudience: audience ?? '',
					};
					addClientAuth(credentials, form, headers, tokenUrl);
					assert.deepEqual(Object.keys(form).sort(), ['client_assertion', 'client_assertion_type', 'client_id']);
					assert.deepEqual(headers, {});
					const { payload } = await jwtVerify(form.client_assertion, pair.publicKey, {
						algorithms: [algorithm],
						issuer: id,
						subject: id,
						audience: audience ?? tokenUrl,
					});
					assert.equal(payload.exp! - payload.iat!, CLIENT_ASSERTION_LIFETIME);
					assert.ok(!jtis.has(String(payload.jti)), 'jti never repeats');
					jtis.add(String(payload.jti));
					assert.equal(decodeProtectedHeader(form.client_assertion).alg, algorithm);
				},
			),
			{ ...runs, numRuns: 100 },
		);
	});

	test('an empty key is named', () => {
		assert.throws(
			() => clientAssertion({ clientId: 'a', clientAuthentication: 'privateKeyJwt' }, 'https://a.example/token'),
			/Client Assertion Private Key is empty/,
		);
	});
});

describe('client certificate (tls_client_auth)', () => {
	test('sends the client ID only, never the secret; without a certificate it is refused', () => {
		const form: Record<string, string> = {};
		const credentials = {
			clientId: 'app',
			clientSecret: 'x',
			clientAuthentication: 'tlsClientAuth',
			useTls: true,
			clientCertificateFormat: 'pem',
		};
		addClientAuth(credentials, form, {}, 'https://a.example/token');
		assert.deepEqual(form, { client_id: 'app' });
		for (const missing of [{ useTls: false }, { clientCertificateFormat: 'none' }]) {
			assert.throws(() => addClientAuth({ ...credentials, ...missing }, {}, {}, 'https://a.example/token'), /no client certificate is set/);
		}
	});
});
