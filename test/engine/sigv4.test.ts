// The AWS Signature V4 credential through n8n's real engine and request layer: Configured API
// Call's every body type, queries that need encoding, S3 paths, a session token, unsigned
// payloads and pagination, each request checked on the wire by the rig's server with AWS's own
// signer (@smithy/signature-v4) as the oracle; the Test button (valid, wrong secret, unknown key);
// and where the signature may go: redirects to another origin never carry it.
import './quiet.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApiServer, type ApiServer } from '../rig/index.ts';
import { startSigV4Server, type SigV4Server } from '../rig/sigv4Server.ts';
import { callWorkflow, createEngine, testCredential, type Engine } from './engine.ts';

const TYPE = 'apiConnectorAwsSigV4Api';
const KEY_ID = 'AKIDENGINETEST';
const SECRET = 'engine/Secret+Key=with~odd chars';
const TOKEN_KEY_ID = 'ASIAENGINETEMP';
const TOKEN = 'FwoGZXIvYXdzE+session/token==';

let aws: SigV4Server;
let other: ApiServer;
let engine: Engine;

before(async () => {
	aws = await startSigV4Server(
		{ [KEY_ID]: { secretAccessKey: SECRET }, [TOKEN_KEY_ID]: { secretAccessKey: SECRET, sessionToken: TOKEN } },
		{
			answer: (request) => {
				// Pagination: three pages, each link with characters that need encoding.
				const page = Number(request.query.find(([name]) => name === 'page')?.[1] ?? 0);
				if (!request.path.startsWith('/paged')) return {};
				return { items: [{ page }], next: page < 3 ? `/paged/a b?page=${page + 1}&filter=x+y%2Bz` : null };
			},
		},
	);
	other = await startApiServer();
	engine = await createEngine();
});
after(async () => await Promise.all([aws.close(), other.close()]));

function credential(data: Record<string, unknown> = {}) {
	return {
		type: TYPE,
		...engine.credentials.add(TYPE, {
			accessKeyId: KEY_ID,
			secretAccessKey: SECRET,
			region: 'eu-central-1',
			service: 's3',
			baseUrl: aws.url,
			payloadSigning: 'signed',
			...data,
		}),
	};
}

async function run(parameters: Record<string, unknown>, options: Parameters<typeof callWorkflow>[1] = {}) {
	const refusedBefore = aws.refused.length;
	const result = await engine.run(
		callWorkflow({ authentication: TYPE, method: 'GET', ...parameters }, { credential: options.credential ?? credential(), ...options }),
	);
	const error = result.error('Call') ?? result.error();
	const refused = aws.refused.slice(refusedBefore);
	return { result, error, refused, output: result.output('Call') };
}

function ok(outcome: Awaited<ReturnType<typeof run>>) {
	assert.equal(outcome.error, undefined, `${outcome.error?.message} ${JSON.stringify(outcome.refused)}`);
	assert.deepEqual(outcome.refused, []);
	assert.equal(outcome.output[0]?.ok, true, JSON.stringify(outcome.output));
	return outcome.output[0];
}

const post = (contentType: string, extra: Record<string, unknown>) => ({
	method: 'POST',
	url: '/api/upload',
	sendBody: true,
	contentType,
	...extra,
});

describe('Configured API Call, verified by @smithy/signature-v4 on the wire', () => {
	for (const service of ['s3', 'execute-api']) {
		test(`${service}: GET with query values that need encoding (space, +, *, ~, unicode, reserved characters)`, async () => {
			const values = ['a b', 'a+b', 'x*y', 'til~de', 'é✓😀', '&=?/#%', ''];
			const output = ok(
				await run(
					{
						url: `/path/q?inUrl=${encodeURIComponent('u v+w')}&plus=a+b&flag`,
						sendQuery: true,
						queryParameters: { parameters: values.map((value, i) => ({ name: `k${i} ${value.slice(0, 1)}`, value })) },
					},
					{ credential: credential({ service }) },
				),
			);
			assert.deepEqual(output.query, [
				['inUrl', 'u v+w'],
				['plus', 'a b'],
				['flag', ''],
				...values.map((value, i) => [`k${i} ${value.slice(0, 1)}`, value]),
			]);
		});
	}

	test('S3 object keys with spaces, unicode, + and an encoded slash', async () => {
		const output = ok(await run({ url: `/my-bucket/folder one/${encodeURIComponent('naïve+résumé ✓.txt')}/a%2Fb` }));
		assert.equal(output.path, '/my-bucket/folder one/naïve+résumé ✓.txt/a/b');
	});

	test('API Gateway (execute-api): a path with spaces and dot segments is signed normalised, double-encoded', async () => {
		const output = ok(await run({ url: '/prod/items/with space/./x/../y' }, { credential: credential({ service: 'execute-api' }) }));
		assert.equal(output.path, '/prod/items/with space/y');
	});

	test('POST JSON', async () => {
		const output = ok(await run(post('json', { jsonInput: 'json', jsonBody: ' {"a": "é", "n": [1, 2]} ' })));
		assert.match(String(output.contentType), /application\/json/);
		assert.ok((output.signedHeaders as string[]).includes('content-type'));
	});

	test('POST form-urlencoded', async () => {
		const output = ok(await run(post('form', { bodyParameters: { parameters: [{ name: 'a b', value: 'x+y é' }] } })));
		assert.equal(output.contentType, 'application/x-www-form-urlencoded');
	});

	test('raw body with its content type, leading and trailing spaces kept', async () => {
		const output = ok(await run(post('raw', { rawContentType: 'application/json', rawBody: '  {"raw": true}  ' })));
		assert.equal(output.bodyLength, Buffer.byteLength('  {"raw": true}  '));
	});

	test('binary upload (PUT of an S3 object)', async () => {
		const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 13, 10]);
		const output = ok(
			await run(
				{ ...post('binary', { binaryProperty: 'data' }), method: 'PUT', url: '/bucket/file.bin' },
				{ file: { base64: bytes.toString('base64'), mimeType: 'image/png' } },
			),
		);
		assert.equal(output.contentType, 'image/png');
		assert.equal(output.bodyLength, bytes.length);
	});

	test('multipart form-data with a text field and a file', async () => {
		const bytes = Buffer.from('file-content-✓');
		const output = ok(
			await run(
				post('multipart', {
					multipartParameters: {
						parameters: [
							{ type: 'text', name: 'title', value: 'hello' },
							{ type: 'binary', name: 'upload', binaryProperty: 'data' },
						],
					},
				}),
				{ file: { base64: bytes.toString('base64'), mimeType: 'text/plain' } },
			),
		);
		assert.match(String(output.contentType), /^multipart\/form-data; boundary=/);
		assert.ok((output.signedHeaders as string[]).includes('content-type'));
	});

	test('a session token is sent as X-Amz-Security-Token and signed', async () => {
		const output = ok(await run({ url: '/bucket/key' }, { credential: credential({ accessKeyId: TOKEN_KEY_ID, sessionToken: TOKEN }) }));
		assert.ok((output.signedHeaders as string[]).includes('x-amz-security-token'));
		const missing = await run({ url: '/bucket/key' }, { credential: credential({ accessKeyId: TOKEN_KEY_ID }) });
		assert.deepEqual(
			missing.refused.map((r) => r.code),
			['InvalidToken'],
		);
	});

	test('unsigned payload (S3): the body is streamed as it is, UNSIGNED-PAYLOAD signed', async () => {
		const bytes = Buffer.alloc(100_000, 7);
		const output = ok(
			await run(
				{ ...post('binary', { binaryProperty: 'data' }), method: 'PUT', url: '/bucket/big.bin' },
				{
					credential: credential({ payloadSigning: 'unsigned' }),
					file: { base64: bytes.toString('base64'), mimeType: 'application/octet-stream' },
				},
			),
		);
		assert.equal(output.bodyLength, bytes.length);
	});

	test('x-amz-* headers the user sets are signed (S3 metadata)', async () => {
		const output = ok(
			await run({
				url: '/bucket/key',
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'X-Amz-Meta-Note', value: '  two  spaces ' }] },
			}),
		);
		assert.ok((output.signedHeaders as string[]).includes('x-amz-meta-note'));
	});

	test('pagination: every page is signed anew, next links with characters that need encoding', async () => {
		const { error, refused, output } = await run({
			url: '/paged/start',
			response: { itemsPath: 'items' },
			pagination: { mode: 'nextUrl', nextUrlPath: 'next', maxPages: 10 },
		});
		assert.equal(error, undefined, String(error?.message));
		assert.deepEqual(refused, []);
		assert.deepEqual(
			output.map((item) => item.page),
			[0, 1, 2, 3],
		);
	});

	test('a wrong secret is refused by the server (SignatureDoesNotMatch) and the message quotes no secret', async () => {
		const { error, refused } = await run({ url: '/bucket/key' }, { credential: credential({ secretAccessKey: 'wrong-secret-value' }) });
		assert.deepEqual(
			refused.map((r) => r.code),
			['SignatureDoesNotMatch'],
		);
		assert.ok(error);
		assert.doesNotMatch(`${error.message} ${JSON.stringify(error)}`, /wrong-secret-value/);
	});
});

describe('where the signature goes', () => {
	test('a redirect to another origin is followed without Authorization, token or secret', async () => {
		aws.redirects.set('/away', { status: 302, location: `${other.url}/api/echo` });
		const { error, output } = await run({ url: '/away' }, { credential: credential({ accessKeyId: TOKEN_KEY_ID, sessionToken: TOKEN }) });
		assert.equal(error, undefined, String(error?.message));
		const seen = other.requests.at(-1);
		assert.ok(seen, 'the other origin was reached');
		const text = JSON.stringify(seen);
		assert.doesNotMatch(text, /AWS4-HMAC-SHA256|x-amz-security-token|FwoGZXIvYXdzE|engine\/Secret/i);
		assert.ok(output.length > 0);
	});

	test('a URL outside the Base URL is refused before anything is signed or sent', async () => {
		const before = other.requests.length;
		const { error } = await run({ url: `${other.url}/api/echo` });
		assert.match(String(error?.message), /not the credential's origin/);
		assert.equal(other.requests.length, before);
	});
});

describe('the Test button', () => {
	const data = (extra: Record<string, unknown> = {}) => ({
		accessKeyId: KEY_ID,
		secretAccessKey: SECRET,
		region: 'eu-central-1',
		service: 's3',
		baseUrl: aws.url,
		...extra,
	});

	test('valid: the Base URL (the bucket list of S3-compatible storage) accepts the signed GET', async () => {
		const result = await testCredential(engine, TYPE, data());
		assert.equal(result.status, 'OK', result.message);
	});

	test('valid with a Test URL and execute-api', async () => {
		const result = await testCredential(engine, TYPE, data({ service: 'execute-api', testUrl: '/prod/me?x=a b' }));
		assert.equal(result.status, 'OK', result.message);
	});

	test('a wrong secret: says the Secret Access Key is wrong, quotes no secret', async () => {
		const result = await testCredential(engine, TYPE, data({ secretAccessKey: 'wrong-secret-value' }));
		assert.equal(result.status, 'Error');
		assert.match(result.message, /\(HTTP 403, SignatureDoesNotMatch\): the signature does not match: the Secret Access Key is wrong/);
		assert.doesNotMatch(result.message, /wrong-secret-value|engine\/Secret/);
	});

	test('an unknown Access Key ID: says so', async () => {
		const result = await testCredential(engine, TYPE, data({ accessKeyId: 'AKIDUNKNOWN' }));
		assert.equal(result.status, 'Error');
		assert.match(result.message, /the Access Key ID is not known/);
	});
});
