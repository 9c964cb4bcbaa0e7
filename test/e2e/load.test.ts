// Load and concurrency in a real n8n: 10,000 items with 10% failing lose nothing, and 20
// parallel executions that share one token credential with no token fetch it once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startApiServer, startOAuth2Server, type ApiServer, type OAuth2Server } from '../rig/index.ts';
import { ensureN8n, packPackage, startN8n, type N8nInstance } from './n8n.ts';
import { callNode, chain, manualTrigger, webhookTrigger } from './workflows.ts';

const benchNodes = join(dirname(fileURLToPath(import.meta.url)), '../../scripts/bench/nodes');
let n8n: N8nInstance;
let api: ApiServer;
let auth: OAuth2Server;

/** Peak and current resident memory of a process, in MB, from /proc. */
function memory(pid: number) {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
	return { peakMb: Math.round(kb('VmHWM') / 1024), currentMb: Math.round(kb('VmRSS') / 1024) };
}

before(
	async () => {
		api = await startApiServer({
			routes: {
				'GET /api/maybe': (req, res) => {
					const n = Number(new URL(req.url ?? '', 'http://x').searchParams.get('n'));
					res.writeHead(n % 10 === 3 ? 500 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ n }));
				},
			},
		});
		auth = await startOAuth2Server({
			clients: [{ id: 'load', secret: 'load-secret' }],
			users: [{ username: 'load', password: 'load-pass' }],
		});
		await ensureN8n();
		n8n = await startN8n({ tarball: packPackage(), env: { N8N_CUSTOM_EXTENSIONS: benchNodes, N8N_LOG_LEVEL: 'info' } });
	},
	{ timeout: 20 * 60_000 },
);
after(async () => {
	await n8n?.stop();
	await Promise.all([api?.close(), auth?.close()]);
});

test('10,000 items, 10% failing, continue on fail: 10,000 output items, each failure paired', { timeout: 10 * 60_000 }, async () => {
	const items = {
		id: 'items',
		name: 'Items',
		type: 'CUSTOM.benchItems',
		typeVersion: 1,
		position: [200, 0],
		parameters: { count: 10_000 },
	};
	const call = {
		...callNode({ url: `=${api.url}/api/maybe?n={{ $json.n }}`, options: { concurrency: 8 } }),
		onError: 'continueRegularOutput',
	};
	const id = await n8n.createWorkflow(chain('10k items', manualTrigger(), items, call));
	const before = memory(n8n.pid);
	const started = Date.now();
	const run = await n8n.runWorkflowManually(id, { timeoutMs: 10 * 60_000 });
	const seconds = (Date.now() - started) / 1000;
	const after = memory(n8n.pid);
	assert.equal(run.status, 'success', JSON.stringify(run.error));
	const output = run.raw.data.resultData.runData.Call[0].data.main[0] as Array<{
		json: { n?: number; error?: string };
		pairedItem: { item: number };
	}>;
	assert.equal(output.length, 10_000);
	const failed = output.filter((item) => item.json.error);
	assert.equal(failed.length, 1_000);
	for (const item of failed) {
		assert.equal(item.pairedItem.item % 10, 3);
		assert.match(item.json.error as string, /answered HTTP 500/);
	}
	assert.deepEqual(
		output.map((item) => item.pairedItem.item),
		Array.from({ length: 10_000 }, (_, n) => n),
	);
	assert.deepEqual(
		output.filter((item) => !item.json.error).map((item) => item.json.n),
		Array.from({ length: 10_000 }, (_, n) => n).filter((n) => n % 10 !== 3),
	);
	console.log(
		`[load] 10,000 items in ${seconds.toFixed(1)} s; n8n resident memory ${before.currentMb} MB before, peak ${after.peakMb} MB (peak before: ${before.peakMb} MB)`,
	);
});

test(
	'20 parallel executions sharing a token credential with no token: one token request, no failure',
	{ timeout: 5 * 60_000 },
	async () => {
		const credential = await n8n.createCredential({
			name: 'Load token',
			type: 'apiConnectorPasswordGrantOAuth2Api',
			data: {
				tokenUrl: auth.tokenUrl,
				username: 'load',
				password: 'load-pass',
				clientId: 'load',
				clientSecret: 'load-secret',
				baseUrl: auth.url,
				testUrl: '/api/me',
			},
		});
		const path = 'parallel-token';
		const id = await n8n.createWorkflow(chain('20 parallel', webhookTrigger(path), callNode({ url: '/api/me' }, credential)));
		await n8n.activateWorkflow(id);
		const responses = await Promise.all(Array.from({ length: 20 }, async () => await n8n.callWebhook(path, { body: {} })));
		assert.deepEqual(
			responses.map((response) => response.status),
			Array(20).fill(200),
		);
		assert.equal(auth.counts.total, 1, `token requests: ${auth.counts.total}`);
		assert.equal(auth.counts.api, 20);
		console.log(`[load] 20 parallel executions: ${auth.counts.total} token request(s), ${auth.counts.api} API calls`);
	},
);
