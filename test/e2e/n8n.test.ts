// End to end: the packed package installed into a real n8n as a community package, its
// credential tested through the editor's Test button route and used by n8n's own HTTP Request
// node, in a manual run and behind an active webhook.
// Needs dist/ (npm run build); installs n8n into the cache folder on first use (~4 min).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ensureN8n, isN8nInstalled, packPackage, startN8n, type N8nInstance } from './n8n.ts';
import { Stopwatch } from './stopwatch.ts';

const CREDENTIAL_TYPE = 'apiConnectorHeaderKeyApi';
const PACKAGE = 'n8n-nodes-api-connector';
const GOOD_KEY = 'k-live-123';

const watch = new Stopwatch('n8n.test.ts', true);

/** A tiny API: GET /me answers only to "Authorization: Bearer k-live-123". */
async function startApi() {
	const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
	const server = createServer((req, res) => {
		seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
		const ok = req.url === '/me' && req.headers.authorization === `Bearer ${GOOD_KEY}`;
		res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
		res.end(JSON.stringify(ok ? { id: 'user-1', name: 'E2E User' } : { error: 'unauthorized' }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const httpRequestNode = (url: string, credential: { id: string; name: string }) => ({
	id: randomUUID(),
	name: 'Call API',
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.5,
	position: [220, 0],
	parameters: { url, authentication: 'predefinedCredentialType', nodeCredentialType: CREDENTIAL_TYPE, options: {} },
	credentials: { [CREDENTIAL_TYPE]: credential },
});

const connect = (from: string, to: string) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });

describe('n8n end to end', () => {
	let n8n: N8nInstance;
	let api: Awaited<ReturnType<typeof startApi>>;
	let credential: { id: string; name: string; type: string };
	const credentialData = () => ({ headerName: 'Authorization', apiKey: GOOD_KEY, testUrl: `${api.url}/me` });

	before(
		async () => {
			api = await startApi();
			const cached = isN8nInstalled();
			await watch.time(`install n8n (${cached ? 'cached' : 'cold'})`, () => ensureN8n());
			const tarball = await watch.time('npm pack', () => packPackage());
			n8n = await watch.time('start n8n (install package, boot, owner)', () => startN8n({ tarball }));
		},
		{ timeout: 20 * 60_000 },
	);

	after(async () => {
		if (n8n) await watch.time('stop n8n', () => n8n.stop());
		await api?.close();
		watch.print();
	});

	it('knows the credential type from the installed package', async () => {
		const types = await watch.time('list credential types', () => n8n.credentialTypes());
		const type = types.find((t) => t.name === CREDENTIAL_TYPE);
		assert.ok(type, `${CREDENTIAL_TYPE} is not among n8n's ${types.length} credential types`);
		// Credential names are global in n8n (no package prefix); the icon path says where it came from.
		assert.match(JSON.stringify(type.iconUrl), new RegExp(`icons/${PACKAGE}/`));
	});

	it('tests an unsaved credential like the editor (good and bad key)', async () => {
		const good = await watch.time('test unsaved credential (good key)', () =>
			n8n.testCredential({ type: CREDENTIAL_TYPE, name: 'Unsaved', data: credentialData() }),
		);
		assert.equal(good.status, 'OK', good.message);
		const bad = await watch.time('test unsaved credential (bad key)', () =>
			n8n.testCredential({ type: CREDENTIAL_TYPE, name: 'Unsaved', data: { ...credentialData(), apiKey: 'k-wrong' } }),
		);
		assert.equal(bad.status, 'Error');
		assert.ok(bad.message, 'an error has a message');
		assert.doesNotMatch(bad.message, /k-wrong/, 'the message does not quote the key');
	});

	it('tests a saved credential like the editor (stored and edited key)', async () => {
		credential = await watch.time('create credential', () =>
			n8n.createCredential({ name: 'E2E header key', type: CREDENTIAL_TYPE, data: credentialData() }),
		);
		const stored = await watch.time('test saved credential', () => n8n.testCredential({ id: credential.id }));
		assert.equal(stored.status, 'OK', stored.message);
		const edited = await watch.time('test saved credential with an edited key', () =>
			n8n.testCredential({ id: credential.id, data: { apiKey: 'k-wrong' } }),
		);
		assert.equal(edited.status, 'Error');
	});

	it("runs n8n's HTTP Request node with the credential (manual run)", async () => {
		const id = await n8n.createWorkflow({
			name: 'E2E manual',
			nodes: [
				{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				httpRequestNode(`${api.url}/me`, credential),
			],
			connections: connect('Start', 'Call API'),
		});
		const before = api.seen.length;
		const run = await watch.time('manual run', () => n8n.runWorkflowManually(id));
		assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes['Call API']?.error));
		assert.deepEqual(run.nodes['Call API'].json, [{ id: 'user-1', name: 'E2E User' }]);
		const calls = api.seen.slice(before);
		assert.equal(calls.length, 1);
		assert.equal(calls[0].headers.authorization, `Bearer ${GOOD_KEY}`);
		const listed = await n8n.listExecutions(id);
		assert.deepEqual(
			listed.map((e) => [e.id, e.mode, e.status]),
			[[run.id, 'manual', 'success']],
		);
	});

	it('answers a webhook of an active workflow with the API response', async () => {
		const path = `e2e-${randomUUID()}`;
		const id = await n8n.createWorkflow({
			name: 'E2E webhook',
			nodes: [
				{
					id: randomUUID(),
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2.1,
					position: [0, 0],
					webhookId: randomUUID(),
					parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
				},
				httpRequestNode(`${api.url}/me`, credential),
			],
			connections: connect('Webhook', 'Call API'),
		});
		await watch.time('activate workflow', () => n8n.activateWorkflow(id));
		const before = api.seen.length;
		const response = await watch.time('webhook call', () => n8n.callWebhook(path, { body: { hello: 'world' } }));
		assert.equal(response.status, 200, JSON.stringify(response.body));
		assert.deepEqual(response.body, { id: 'user-1', name: 'E2E User' });
		assert.equal(api.seen.slice(before)[0]?.headers.authorization, `Bearer ${GOOD_KEY}`);
		const [execution] = await n8n.listExecutions(id);
		const decoded = await n8n.waitForExecution(execution.id);
		assert.equal(decoded.mode, 'webhook');
		assert.deepEqual(decoded.nodes.Webhook.json[0].body, { hello: 'world' });
	});
});
