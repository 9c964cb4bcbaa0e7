// Configured API Call in a real n8n against the rig: every body type, binary download and
// upload, each pagination mode, retry with Retry-After, the environment chosen by a manual and
// by a production run, and the credential's allowed domains.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startApiServer, type ApiServer } from '../rig/index.ts';
import { ensureN8n, packPackage, startN8n, type N8nInstance } from './n8n.ts';
import { callNode, chain, manualTrigger, webhookTrigger } from './workflows.ts';

let n8n: N8nInstance;
let api: ApiServer;
let key: { id: string; name: string; type: string };

before(
	async () => {
		api = await startApiServer();
		await ensureN8n();
		n8n = await startN8n({ tarball: packPackage() });
		key = await n8n.createCredential({
			name: 'Calls header key',
			type: 'apiConnectorHeaderKeyApi',
			data: {
				headerName: 'X-API-Key',
				prefixFormat: 'plain',
				apiKey: 'live-key',
				developmentApiKey: 'dev-key',
				baseUrl: api.url,
				testUrl: '/api/me',
			},
		});
	},
	{ timeout: 20 * 60_000 },
);
after(async () => {
	await n8n?.stop();
	await api?.close();
});

async function run(...nodes: Array<ReturnType<typeof callNode>>) {
	const id = await n8n.createWorkflow(chain(`calls ${randomUUID()}`, manualTrigger(), ...nodes));
	const result = await n8n.runWorkflowManually(id);
	const last = nodes.at(-1)!.name;
	assert.equal(result.status, 'success', JSON.stringify(result.error ?? result.nodes[last]?.error));
	return result;
}

const post = (contentType: string, extra: Record<string, unknown>, name = 'Call') =>
	callNode({ method: 'POST', url: '/api/echo', environment: 'live', sendBody: true, contentType, ...extra }, key, name);

describe('bodies', () => {
	test('JSON from fields and as JSON', async () => {
		const fields = await run(post('json', { jsonInput: 'fields', bodyParameters: { parameters: [{ name: 'a', value: '1' }] } }));
		assert.deepEqual(fields.nodes.Call.json[0].body, { a: '1' });
		const raw = await run(post('json', { jsonInput: 'json', jsonBody: '{"list":[1,2],"nested":{"x":true}}' }));
		assert.deepEqual(raw.nodes.Call.json[0].body, { list: [1, 2], nested: { x: true } });
	});

	test('form-urlencoded and raw', async () => {
		const form = await run(post('form', { bodyParameters: { parameters: [{ name: 'q', value: 'a b&c' }] } }));
		assert.deepEqual(form.nodes.Call.json[0].body, { q: 'a b&c' });
		const raw = await run(post('raw', { rawContentType: 'text/csv', rawBody: 'a,b\n1,2' }));
		assert.equal(raw.nodes.Call.json[0].body, 'a,b\n1,2');
		assert.equal(raw.nodes.Call.json[0].headers['content-type'], 'text/csv');
	});

	test('binary download, then the file uploaded as a binary body and as multipart', async () => {
		const download = callNode(
			{ url: '/api/bytes?n=3000', environment: 'live', response: { format: 'file', binaryProperty: 'data' } },
			key,
			'Download',
		);
		const upload = post('binary', { binaryProperty: 'data' }, 'Upload');
		const result = await run(download, upload);
		const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 256));
		assert.equal(result.nodes.Upload.json[0].bodyBase64, bytes.toString('base64'));
		assert.equal(result.nodes.Upload.json[0].headers['content-type'], 'application/octet-stream');
		const multipart = post(
			'multipart',
			{
				multipartParameters: {
					parameters: [
						{ type: 'text', name: 'note', value: 'hi' },
						{ type: 'binary', name: 'file', binaryProperty: 'data' },
					],
				},
			},
			'Multipart',
		);
		const parts = await run(
			callNode({ url: '/api/bytes?n=64', environment: 'live', response: { format: 'file' } }, key, 'Download'),
			multipart,
		);
		const raw = Buffer.from(parts.nodes.Multipart.json[0].bodyBase64, 'base64');
		assert.match(parts.nodes.Multipart.json[0].headers['content-type'], /^multipart\/form-data; boundary=/);
		assert.ok(raw.includes(Buffer.from('name="note"\r\n\r\nhi')));
		assert.ok(raw.includes(Buffer.from(Array.from({ length: 64 }, (_, i) => i))));
	});
});

describe('pagination', () => {
	const modes: Array<[string, string, Record<string, unknown>]> = [
		['next URL', '/api/items?total=25&pageSize=10', { mode: 'nextUrl', nextUrlPath: 'nextUrl' }],
		['page', '/api/items?total=25&pageSize=10', { mode: 'page', parameter: 'page', start: 1, step: 1 }],
		['offset', '/api/items?total=25&pageSize=10&offset=0', { mode: 'offset', parameter: 'offset', start: 0, step: 10 }],
		['cursor', '/api/items?total=25&pageSize=10&cursor=', { mode: 'cursor', parameter: 'cursor', cursorPath: 'nextCursor' }],
	];
	for (const [label, url, pagination] of modes) {
		test(label, async () => {
			const result = await run(callNode({ url, environment: 'live', response: { itemsPath: 'items' }, pagination }, key));
			assert.deepEqual(
				result.nodes.Call.json.map((item) => item.id),
				Array.from({ length: 25 }, (_, i) => i + 1),
			);
		});
	}
});

test('retry honours Retry-After', async () => {
	const started = Date.now();
	const result = await run(
		callNode(
			{ url: '/api/retry?key=e2e&fail=1&retryAfter=1', environment: 'live', options: { retry: true, maxTries: 3, maxWait: 10 } },
			key,
		),
	);
	assert.equal(result.nodes.Call.json[0].attempts, 2);
	assert.ok(Date.now() - started >= 1000);
});

test('Automatic environment: the development key in a manual run, the live key in a production (webhook) run', async () => {
	const manual = await run(callNode({ url: '/api/echo', environment: 'automatic' }, key));
	assert.equal(manual.nodes.Call.json[0].headers['x-api-key'], 'dev-key');
	const path = `env-${randomUUID()}`;
	const id = await n8n.createWorkflow(
		chain('env webhook', webhookTrigger(path), callNode({ url: '/api/echo', environment: 'automatic' }, key)),
	);
	await n8n.activateWorkflow(id);
	const response = await n8n.callWebhook(path, { body: {} });
	assert.equal(response.status, 200, JSON.stringify(response.body));
	const body = Array.isArray(response.body) ? response.body[0] : response.body;
	assert.equal(body.headers['x-api-key'], 'live-key');
});

test("the credential's allowed domains: calls to other hosts are refused before anything is sent", async () => {
	const restricted = await n8n.createCredential({
		name: 'Calls restricted',
		type: 'apiConnectorHeaderKeyApi',
		data: {
			headerName: 'X-API-Key',
			prefixFormat: 'plain',
			apiKey: 'live-key',
			testUrl: `${api.url}/api/me`,
			allowedHttpRequestDomains: 'domains',
			allowedDomains: 'api.example.com',
		},
	});
	const before = api.requests.length;
	const id = await n8n.createWorkflow(
		chain('restricted', manualTrigger(), callNode({ url: `${api.url}/api/echo`, environment: 'live' }, restricted)),
	);
	const result = await n8n.runWorkflowManually(id);
	assert.equal(result.status, 'error');
	assert.match(JSON.stringify(result.nodes.Call.error), /domain/i);
	assert.equal(api.requests.length, before);
});
