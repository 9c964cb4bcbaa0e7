// Configured API Call through the real engine: methods, bodies, responses, pagination,
// retries, redirects, order and pairing of items, errors per item.
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startApiServer, type ApiServer } from '../rig/index.ts';
import { callWorkflow, createEngine, type Engine } from './engine.ts';

let api: ApiServer;
let other: ApiServer;
let engine: Engine;

before(async () => {
	other = await startApiServer();
	api = await startApiServer({
		routes: {
			'GET /api/redirect-away': (_req: IncomingMessage, res: ServerResponse) => {
				res.writeHead(302, { location: `${other.url}/api/echo` }).end();
			},
			'GET /api/loop': (_req: IncomingMessage, res: ServerResponse) => {
				res.writeHead(302, { location: '/api/loop' }).end();
			},
			'GET /api/redirect-here': (_req: IncomingMessage, res: ServerResponse) => {
				res.writeHead(302, { location: '/api/echo?moved=1' }).end();
			},
			'GET /api/fail-odd': (req: IncomingMessage, res: ServerResponse) => {
				const n = Number(new URL(req.url ?? '', 'http://x').searchParams.get('n'));
				res.writeHead(n % 10 === 3 ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ n }));
			},
			'GET /api/file': (_req: IncomingMessage, res: ServerResponse) => {
				res
					.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="report.pdf"' })
					.end(Buffer.from('%PDF-1.4 test'));
			},
		},
	});
	engine = await createEngine();
});
after(async () => await Promise.all([api.close(), other.close()]));

const key = () => ({
	type: 'apiConnectorHeaderKeyApi',
	...engine.credentials.add('apiConnectorHeaderKeyApi', {
		headerName: 'X-Key',
		prefixFormat: 'plain',
		apiKey: 'secret-key',
		baseUrl: api.url,
		testUrl: '/api/me',
	}),
});

async function run(parameters: Record<string, unknown>, options: Parameters<typeof callWorkflow>[1] = {}) {
	const result = await engine.run(callWorkflow({ authentication: 'none', method: 'GET', ...parameters }, options));
	return { result, error: result.error('Call') ?? result.error(), output: result.output('Call'), items: result.items('Call') };
}

describe('requests', () => {
	for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
		test(`${method}`, async () => {
			const { error, output } = await run({ method, url: `${api.url}/api/echo` });
			assert.equal(error, undefined, String(error?.message));
			assert.equal(output[0].method, method);
		});
	}

	test('HEAD returns the status without a body', async () => {
		const { error, output } = await run({ method: 'HEAD', url: `${api.url}/api/echo`, response: { fullResponse: true } });
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].statusCode, 200);
	});

	test("a relative URL resolves against the credential's Base URL", async () => {
		const { error, output } = await run(
			{ authentication: 'apiConnectorHeaderKeyApi', environment: 'live', url: 'api/echo' },
			{ credential: key() },
		);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].path, '/api/echo');
	});

	test('a relative URL without a credential is a clear error', async () => {
		const { error } = await run({ url: '/api/echo' });
		assert.match(String(error?.message), /not an absolute http\(s\) URL, and the credential has no Base URL/);
	});

	test('query parameters and headers', async () => {
		const { output } = await run({
			url: `${api.url}/api/echo`,
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'q', value: 'a b' }] },
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'X-Trace', value: 't-1' }] },
		});
		assert.deepEqual(output[0].query, { q: 'a b' });
		assert.equal((output[0].headers as Record<string, string>)['x-trace'], 't-1');
	});

	const body = (contentType: string, extra: Record<string, unknown>) => ({
		method: 'POST',
		url: `${api.url}/api/echo`,
		sendBody: true,
		contentType,
		...extra,
	});

	test('JSON body from fields', async () => {
		const { output } = await run(body('json', { jsonInput: 'fields', bodyParameters: { parameters: [{ name: 'a', value: '1' }] } }));
		assert.deepEqual(output[0].body, { a: '1' });
		assert.match(String((output[0].headers as Record<string, string>)['content-type']), /application\/json/);
	});

	test('JSON body as JSON', async () => {
		const { output } = await run(body('json', { jsonInput: 'json', jsonBody: '{"nested":{"n":[1,2]}}' }));
		assert.deepEqual(output[0].body, { nested: { n: [1, 2] } });
	});

	test('invalid JSON body is an error naming the body', async () => {
		const { error } = await run(body('json', { jsonInput: 'json', jsonBody: '{"a": ' }));
		assert.match(String(error?.message), /The JSON body is not valid JSON/);
	});

	test('form-urlencoded body', async () => {
		const { output } = await run(
			body('form', {
				bodyParameters: {
					parameters: [
						{ name: 'a', value: 'x y' },
						{ name: 'b', value: '2' },
					],
				},
			}),
		);
		assert.deepEqual(output[0].body, { a: 'x y', b: '2' });
		assert.match(String((output[0].headers as Record<string, string>)['content-type']), /application\/x-www-form-urlencoded/);
	});

	test('raw body with its content type', async () => {
		const { output } = await run(body('raw', { rawContentType: 'application/xml', rawBody: '<a>1</a>' }));
		assert.equal(output[0].body, '<a>1</a>');
		assert.equal((output[0].headers as Record<string, string>)['content-type'], 'application/xml');
	});

	test('binary file upload from the input item', async () => {
		const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
		const { error, output } = await run(body('binary', { binaryProperty: 'data' }), {
			file: { base64: bytes.toString('base64'), mimeType: 'image/png' },
		});
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].bodyBase64, bytes.toString('base64'));
		assert.equal((output[0].headers as Record<string, string>)['content-type'], 'image/png');
	});

	test('multipart form-data with a text field and a file', async () => {
		const bytes = Buffer.from('file-content-✓');
		const { error, output } = await run(
			body('multipart', {
				multipartParameters: {
					parameters: [
						{ type: 'text', name: 'title', value: 'hello' },
						{ type: 'binary', name: 'upload', binaryProperty: 'data' },
					],
				},
			}),
			{ file: { base64: bytes.toString('base64'), mimeType: 'text/plain' } },
		);
		assert.equal(error, undefined, String(error?.message));
		const raw = Buffer.from(String(output[0].bodyBase64), 'base64').toString('utf8');
		assert.match(String((output[0].headers as Record<string, string>)['content-type']), /^multipart\/form-data; boundary=/);
		assert.match(raw, /name="title"\r\n\r\nhello/);
		assert.match(raw, /name="upload"; filename="upload.bin"\r\nContent-Type: text\/plain\r\n\r\nfile-content-✓/);
	});
});

describe('responses', () => {
	test('autodetect: JSON, text and a file', async () => {
		assert.equal((await run({ url: `${api.url}/api/me` })).output[0].ok, true);
		assert.equal((await run({ url: `${api.url}/api/text` })).output[0].data, 'plain text from the rig');
		const file = await run({ url: `${api.url}/api/file` });
		const binary = file.items[0].binary?.data;
		assert.equal(binary?.mimeType, 'application/pdf');
		assert.equal(binary?.fileName, 'report.pdf');
	});

	test('binary download into a named property', async () => {
		const { items } = await run({ url: `${api.url}/api/bytes?n=1000`, response: { format: 'file', binaryProperty: 'download' } });
		assert.equal(items[0].binary?.download?.fileSize, '1 kB');
	});

	test('full response gives status and response headers', async () => {
		const { output } = await run({ url: `${api.url}/api/me`, response: { fullResponse: true } });
		assert.equal(output[0].statusCode, 200);
		assert.match(String((output[0].headers as Record<string, string>)['content-type']), /json/);
		assert.deepEqual(output[0].body, { ok: true });
	});

	test("an error status fails the item with the API's message, unless Never Error", async () => {
		const failed = await run({ url: `${api.url}/api/status/404` });
		assert.match(String(failed.error?.message), /GET http:\/\/127\.0\.0\.1:\d+\/api\/status\/404 answered HTTP 404/);
		const kept = await run({ url: `${api.url}/api/status/404`, response: { neverError: true, fullResponse: true } });
		assert.equal(kept.error, undefined);
		assert.equal(kept.output[0].statusCode, 404);
	});

	test('output into a named field, and array answers split into items', async () => {
		const named = await run({ url: `${api.url}/api/me`, response: { outputField: 'result' } });
		assert.deepEqual(named.output[0], { result: { ok: true } });
		const split = await run({ url: `${api.url}/api/items?pageSize=4`, response: { itemsPath: 'items' } });
		assert.deepEqual(
			split.output.map((o) => o.id),
			[1, 2, 3, 4],
		);
		const whole = await run({ url: `${api.url}/api/items?pageSize=4`, response: { itemsPath: 'items', split: false } });
		assert.equal(whole.output.length, 1);
	});
});

describe('pagination', () => {
	const paged = (pagination: Record<string, unknown>, url = `${api.url}/api/items?total=25&pageSize=10`) =>
		run({ url, response: { itemsPath: 'items' }, pagination });

	test('next URL from the response', async () => {
		const { output } = await paged({ mode: 'nextUrl', nextUrlPath: 'nextUrl' });
		assert.deepEqual(
			output.map((o) => o.id),
			Array.from({ length: 25 }, (_, i) => i + 1),
		);
	});

	test('increment a page parameter until a page is empty', async () => {
		const { output } = await paged({ mode: 'page', parameter: 'page', start: 1, step: 1 });
		assert.equal(output.length, 25);
	});

	test('increment an offset parameter', async () => {
		const { output } = await paged(
			{ mode: 'offset', parameter: 'offset', start: 0, step: 10 },
			`${api.url}/api/items?total=25&pageSize=10&offset=0`,
		);
		assert.equal(output.length, 25);
	});

	test('a cursor from the response', async () => {
		const { output } = await paged(
			{ mode: 'cursor', parameter: 'cursor', cursorPath: 'nextCursor' },
			`${api.url}/api/items?total=25&pageSize=10&cursor=`,
		);
		assert.equal(output.length, 25);
	});

	test('stop on a field value, and on the page limit', async () => {
		const byField = await paged({
			mode: 'page',
			parameter: 'page',
			start: 1,
			step: 1,
			stopWhen: 'field',
			stopPath: 'hasMore',
			stopValue: 'false',
		});
		assert.equal(byField.output.length, 25);
		const limited = await paged({ mode: 'page', parameter: 'page', start: 1, step: 1, maxPages: 2 });
		assert.equal(limited.output.length, 20);
	});

	test('stop on a status code', async () => {
		const { output, error } = await paged(
			{ mode: 'page', parameter: 'page', start: 1, step: 1, stopWhen: 'status', stopStatus: '400' },
			`${api.url}/api/items?total=25&pageSize=10&cursor=bad`,
		);
		assert.equal(error, undefined);
		assert.equal(output.length, 0);
	});
});

describe('reliability', () => {
	test('retries a 429 after the Retry-After the server asked for', async () => {
		const started = Date.now();
		const { error, output } = await run({
			url: `${api.url}/api/retry?key=ra-1&fail=2&retryAfter=1`,
			options: { retry: true, maxTries: 3, maxWait: 10 },
		});
		assert.equal(error, undefined, String(error?.message));
		assert.equal(output[0].attempts, 3);
		assert.ok(Date.now() - started >= 1900, 'waited twice the Retry-After of 1 s');
	});

	test('a 503 storm is bounded by Max Tries, then a clear error', async () => {
		const { error } = await run({
			url: `${api.url}/api/retry?key=storm&fail=100&status=503`,
			options: { retry: true, maxTries: 3, maxWait: 5 },
		});
		assert.match(String(error?.message), /answered HTTP 503/);
		assert.equal(api.requests.filter((r) => r.query.key === 'storm').length, 3);
	});

	test('waits longer than the budget are not taken', async () => {
		const { error } = await run({
			url: `${api.url}/api/retry?key=budget&fail=1&retryAfter=30`,
			options: { retry: true, maxTries: 3, maxWait: 2 },
		});
		assert.match(String(error?.message), /answered HTTP 429/);
		assert.match(
			String(error?.description),
			/The API asked to wait 30 s before trying again \(Retry-After: 30\), more than the Max Total Wait of 2 s allows\. Raise Max Total Wait/,
		);
		assert.doesNotMatch(String(error?.description), /turn on Retry/);
		assert.equal(api.requests.filter((r) => r.query.key === 'budget').length, 1);
	});

	test('a redirect loop with a credential is an error naming the last hop, not an item holding a 302', async () => {
		const before = api.requests.length;
		const { error, output } = await run(
			{ authentication: 'apiConnectorHeaderKeyApi', environment: 'live', url: '/api/loop' },
			{ credential: key() },
		);
		assert.match(
			String(error?.message),
			/was redirected more than 10 times \(the last hop, HTTP 302 from .*\/api\/loop, pointed to .*\/api\/loop\)\. The server redirects in a loop/,
		);
		assert.deepEqual(output, []);
		assert.equal(api.requests.length - before, 11);
	});

	test('a timeout is named', async () => {
		const { error } = await run({ url: `${api.url}/api/slow?ms=3000`, options: { timeout: 1 } });
		assert.match(String(error?.message), /did not finish within 1 s \(the node's Timeout, for the whole answer\)/);
	});

	test('connection refused is named', async () => {
		const { error } = await run({ url: 'http://127.0.0.1:1/api' });
		assert.match(String(error?.message), /connection was refused/);
	});

	test('redirects: followed on the same host; the key never goes to another host', async () => {
		const same = await run(
			{ authentication: 'apiConnectorHeaderKeyApi', environment: 'live', url: '/api/redirect-here' },
			{ credential: key() },
		);
		assert.equal((same.output[0].headers as Record<string, string>)['x-key'], 'secret-key');
		const away = await run(
			{ authentication: 'apiConnectorHeaderKeyApi', environment: 'live', url: '/api/redirect-away' },
			{ credential: key() },
		);
		assert.equal(away.error, undefined, String(away.error?.message));
		assert.equal((away.output[0].headers as Record<string, string>)['x-key'], undefined);
	});

	test('8 calls in flight keep the input order and pairing', async () => {
		const items = Array.from({ length: 40 }, (_, n) => ({ n, ms: (40 - n) * 2 }));
		const { output, items: out } = await run(
			{ url: `=${api.url}/api/slow?ms={{ $json.ms }}&n={{ $json.n }}`, options: { concurrency: 8 } },
			{ items },
		);
		assert.equal(output.length, 40);
		assert.deepEqual(
			out.map((item) => item.pairedItem),
			items.map((_, n) => ({ item: n })),
		);
	});

	test('continueOnFail: failing items become error items and the rest go on', async () => {
		const items = Array.from({ length: 50 }, (_, n) => ({ n }));
		const { error, items: out } = await run(
			{ url: `=${api.url}/api/fail-odd?n={{ $json.n }}`, options: { concurrency: 4 } },
			{ items, continueOnFail: true },
		);
		assert.equal(error, undefined);
		assert.equal(out.length, 50);
		const failed = out.filter((item) => item.json.error);
		assert.equal(failed.length, 5);
		assert.deepEqual(
			failed.map((item) => item.pairedItem),
			[3, 13, 23, 33, 43].map((n) => ({ item: n })),
		);
		assert.match(String(failed[0].json.error), /answered HTTP 500/);
	});
});
