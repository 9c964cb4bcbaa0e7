// AWS Signature V4 (credentials/common/sigv4.ts, awsRequest.ts) against AWS's published examples
// and against AWS's own signer (@smithy/signature-v4, through the rig's verifier), in process.
// The same requests on the wire, sent by n8n's real request layer, are in test/engine/sigv4.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { awsErrorCode, awsTestTarget } from '../../credentials/common/awsCheck.ts';
import { queryPairs, signAwsRequest } from '../../credentials/common/awsRequest.ts';
import {
	authorization,
	awsEncode,
	canonicalPath,
	canonicalRequest,
	encodePath,
	sha256Hex,
	signingKey,
} from '../../credentials/common/sigv4.ts';
import { verify } from '../rig/sigv4Server.ts';

// The example credentials of AWS's documentation and its SigV4 test suite.
const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const EMPTY = sha256Hex('');

describe("AWS's published examples", () => {
	test('get-vanilla (aws-sig-v4-test-suite): GET / on example.amazonaws.com, us-east-1, service', () => {
		const request = {
			method: 'GET',
			path: '/',
			query: [],
			headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
			payloadHash: EMPTY,
		};
		const scope = { region: 'us-east-1', service: 'service', amzDate: '20150830T123600Z' };
		assert.equal(
			canonicalRequest(request, 'service'),
			['GET', '/', '', 'host:example.amazonaws.com', 'x-amz-date:20150830T123600Z', '', 'host;x-amz-date', EMPTY].join('\n'),
		);
		assert.equal(
			authorization(KEYS, request, scope),
			'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
		);
	});

	test('the signing key of the IAM example (20150830, us-east-1, iam)', () => {
		assert.equal(
			signingKey(KEYS.secretAccessKey, { date: '20150830', region: 'us-east-1', service: 'iam' }).toString('hex'),
			'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
		);
	});
});

describe('encoding', () => {
	test('only unreserved characters stay; everything else is %XX of its UTF-8 bytes', () => {
		assert.equal(awsEncode("a-b_c.d~e f+g*h/i%j!k'(l)é😀"), 'a-b_c.d~e%20f%2Bg%2Ah%2Fi%25j%21k%27%28l%29%C3%A9%F0%9F%98%80');
	});

	test('paths are re-encoded byte for byte: existing escapes kept, a bare % encoded, + literal', () => {
		assert.equal(encodePath('/my%20bucket/a b/%C3%A9/50%/x+y/%2F'), '/my%20bucket/a%20b/%C3%A9/50%25/x%2By/%2F');
		assert.equal(encodePath('/%FF'), '/%FF');
	});

	test('S3 signs the path as sent; other services normalise it and encode it again', () => {
		assert.equal(canonicalPath('/a%20b//c/', 's3'), '/a%20b//c/');
		assert.equal(canonicalPath('/a%20b//c/', 'execute-api'), '/a%2520b/c/');
	});

	test('query values: brackets, indices, repeat and comma as the request layers write arrays', () => {
		const qs = { a: [1, 2], o: { k: 'v' }, n: null, d: new Date(0) };
		assert.deepEqual(queryPairs(qs, 'brackets'), [
			['a[]', '1'],
			['a[]', '2'],
			['o[k]', 'v'],
			['d', '1970-01-01T00:00:00.000Z'],
		]);
		assert.deepEqual(queryPairs({ a: [1, 2] }, 'indices'), [
			['a[0]', '1'],
			['a[1]', '2'],
		]);
		assert.deepEqual(queryPairs({ a: [1, 2] }, 'repeat'), [
			['a', '1'],
			['a', '2'],
		]);
		assert.deepEqual(queryPairs({ a: [1, 2] }, 'comma'), [['a', '1,2']]);
	});

	test('AWS error codes are read from XML and JSON answers', () => {
		assert.equal(awsErrorCode('<Error><Code>SignatureDoesNotMatch</Code></Error>'), 'SignatureDoesNotMatch');
		assert.equal(awsErrorCode('{"__type":"com.amazon.coral.service#UnrecognizedClientException"}'), 'UnrecognizedClientException');
		assert.equal(awsErrorCode('{"message":"Forbidden"}'), undefined);
	});

	test('the Test button: STS GetCallerIdentity signed for sts without a Base URL, the Base URL with one', () => {
		const data = { ...KEYS, region: 'eu-west-1', service: 's3' };
		assert.deepEqual(awsTestTarget(data), {
			url: 'https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15',
			credentials: { ...data, service: 'sts' },
		});
		assert.equal(awsTestTarget({ ...data, baseUrl: 'http://minio.local:9000' }).url, 'http://minio.local:9000');
		assert.equal(awsTestTarget({ ...data, baseUrl: 'http://minio.local:9000', testUrl: '/bucket' }).url, 'http://minio.local:9000/bucket');
	});
});

/** What a server receives from a signed request sent as it is (the engine tests send it for real). */
async function received(options: Record<string, unknown>) {
	const url = new URL(String(options.url));
	const headers: Record<string, string> = { host: url.host };
	for (const [name, value] of Object.entries((options.headers ?? {}) as Record<string, unknown>))
		headers[name.toLowerCase()] = String(value);
	const body = options.body === undefined ? Buffer.alloc(0) : Buffer.from(options.body as Buffer);
	return { request: { method: String(options.method ?? 'GET'), url: `${url.pathname}${url.search}`, headers }, body };
}

const ACCOUNTS = { AKIDEXAMPLE: { secretAccessKey: KEYS.secretAccessKey } };
const credential = (service: string, extra: Record<string, unknown> = {}) => ({ ...KEYS, region: 'eu-central-1', service, ...extra });

describe("the signature against AWS's signer (@smithy/signature-v4)", () => {
	test('generated paths, queries, methods and bodies verify, for S3 and for other services', async () => {
		const text = fc.string({
			unit: fc.constantFrom('a', 'Z', '0', ' ', '+', '*', '~', '%', '/', '=', '&', '?', '#', 'é', '😀', '!', "'", '(', '.', '-', '_'),
			maxLength: 12,
		});
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom('s3', 'execute-api', 'es'),
				fc.array(
					text.filter((s) => !/[/?#]/.test(s) && s !== '.' && s !== '..'),
					{ minLength: 1, maxLength: 4 },
				),
				fc.array(
					fc.tuple(
						text.filter((s) => s.length > 0),
						text,
					),
					{ maxLength: 5 },
				),
				fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
				fc.option(
					fc.oneof(
						fc.string(),
						fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
						fc.dictionary(fc.string(), fc.string()),
					),
					{ nil: undefined },
				),
				async (service, segments, query, method, body) => {
					const qs = Object.fromEntries(query);
					const url = `https://bucket.s3.example.com:8443/${segments.map(encodeURIComponent).join('/')}`;
					const signed = await signAwsRequest(credential(service), { url, method: method as 'GET', qs, body: body as string }, new Date());
					const { request, body: bytes } = await received(signed as unknown as Record<string, unknown>);
					const outcome = await verify(ACCOUNTS, request, bytes);
					assert.ok('request' in outcome, 'reason' in outcome ? `${outcome.code}: ${outcome.reason}` : '');
					assert.deepEqual(outcome.request.path, `/${segments.join('/')}`);
					assert.deepEqual(outcome.request.query, Object.entries(qs));
				},
			),
			{ numRuns: 300, seed: 20_261_130 },
		);
	});

	test('a wrong secret, a changed body, a changed query and a foreign session token are refused', async () => {
		const url = 'https://api.example.com/stage/items?a=1';
		const good = await signAwsRequest(credential('execute-api'), { url, method: 'POST', body: { a: 1 } });
		const { request, body } = await received(good as unknown as Record<string, unknown>);
		assert.ok('request' in (await verify(ACCOUNTS, request, body)));
		const wrong = await signAwsRequest(credential('execute-api', { secretAccessKey: 'not-the-secret' }), {
			url,
			method: 'POST',
			body: { a: 1 },
		});
		const bad = await received(wrong as unknown as Record<string, unknown>);
		assert.equal(((await verify(ACCOUNTS, bad.request, bad.body)) as { code: string }).code, 'SignatureDoesNotMatch');
		assert.equal(((await verify(ACCOUNTS, request, Buffer.from('{"a":2}'))) as { code: string }).code, 'SignatureDoesNotMatch');
		assert.equal(
			((await verify(ACCOUNTS, { ...request, url: request.url.replace('a=1', 'a=2') }, body)) as { code: string }).code,
			'SignatureDoesNotMatch',
		);
		const tokenAccounts = { AKIDEXAMPLE: { ...ACCOUNTS.AKIDEXAMPLE, sessionToken: 'token-1' } };
		const withToken = await received(
			(await signAwsRequest(credential('s3', { sessionToken: 'token-1' }), { url, method: 'GET' })) as unknown as Record<string, unknown>,
		);
		assert.ok('request' in (await verify(tokenAccounts, withToken.request, withToken.body)));
		assert.equal(((await verify(tokenAccounts, request, body)) as { code: string }).code, 'InvalidToken');
	});

	test('unsigned payload: the body is left as it is and not hashed', async () => {
		const stream = {
			pipe() {},
			async *[Symbol.asyncIterator]() {
				yield Buffer.from('x');
			},
		};
		const signed = await signAwsRequest(credential('s3', { payloadSigning: 'unsigned' }), {
			url: 'https://s3.example.com/b/k',
			method: 'PUT',
			body: stream as never,
		});
		assert.equal(signed.body, stream);
		assert.equal((signed.headers as Record<string, string>)['x-amz-content-sha256'], 'UNSIGNED-PAYLOAD');
		const { request } = await received({ ...signed, body: undefined } as unknown as Record<string, unknown>);
		assert.ok('request' in (await verify(ACCOUNTS, request, Buffer.from('anything at all'))));
	});

	test('one credentials object signs across a change of day, region and secret (its kept signing key follows)', async () => {
		const data = credential('s3');
		const url = 'https://s3.example.com/bucket/key';
		for (const [now, change] of [
			[new Date('2026-11-30T23:59:59Z'), {}],
			[new Date('2026-12-01T00:00:01Z'), {}],
			[new Date('2026-12-01T00:00:02Z'), { region: 'us-west-2' }],
			[new Date('2026-12-01T00:00:03Z'), { secretAccessKey: 'another-secret' }],
		] as const) {
			Object.assign(data, change);
			const { request, body } = await received(
				(await signAwsRequest(data, { url, method: 'GET' }, now)) as unknown as Record<string, unknown>,
			);
			const accounts = { AKIDEXAMPLE: { secretAccessKey: data.secretAccessKey } };
			assert.ok('request' in (await verify(accounts, request, body, now)), `${now.toISOString()} ${JSON.stringify(change)}`);
		}
	});

	test('missing fields say which one to fill', async () => {
		await assert.rejects(
			signAwsRequest({ ...credential('s3'), secretAccessKey: '' }, { url: 'https://x.example/' }),
			/the Secret Access Key is empty/,
		);
		await assert.rejects(signAwsRequest({ ...credential('s 3') }, { url: 'https://x.example/' }), /single words/);
	});
});
