// End to end: the OpenAI credential and the OpenAI Models node in a real n8n (the packed package
// installed as a community package), against the local OpenAI-compatible server. Covers the
// editor's Test button route, the Model dropdown route, a workflow run, and n8n's own HTTP
// Request node with the credential as a predefined credential type.
// Needs dist/ (npm run build); installs n8n into the cache folder on first use (~4 min).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { listen } from '../rig/http.ts';
import { OPENAI_KEYS, RIG_ORG, RIG_PROJECT, startOpenAiServer, type OpenAiServer } from '../rig/openaiServer.ts';
import { ensureN8n, isN8nInstalled, packPackage, startN8n, type N8nInstance } from './n8n.ts';
import { Stopwatch } from './stopwatch.ts';

const TYPE = 'apiConnectorOpenAiApi';
const PACKAGE = 'n8n-nodes-api-connector';
const WRONG_KEY = 'sk-proj-e2eWrongKey00000000000000000000000000000Wx77';

const watch = new Stopwatch('openai.test.ts');

const manualTrigger = () => ({
	id: randomUUID(),
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});
const connect = (from: string, to: string) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });

describe('OpenAI credential and node in a real n8n', () => {
	let n8n: N8nInstance;
	let openai: OpenAiServer;
	let credential: { id: string; name: string };
	const data = (extra: Record<string, unknown> = {}) => ({
		apiKey: OPENAI_KEYS.all,
		organizationId: RIG_ORG,
		projectId: RIG_PROJECT,
		baseUrl: openai.baseUrl,
		...extra,
	});

	before(
		async () => {
			openai = await startOpenAiServer();
			await watch.time(`install n8n (${isN8nInstalled() ? 'cached' : 'cold'})`, () => ensureN8n());
			const tarball = await watch.time('npm pack', () => packPackage());
			n8n = await watch.time('start n8n', () => startN8n({ tarball }));
			credential = await n8n.createCredential({ name: 'E2E OpenAI', type: TYPE, data: data() });
		},
		{ timeout: 20 * 60_000 },
	);

	after(async () => {
		await n8n?.stop();
		await openai?.close();
		watch.print();
	});

	// The Test button runs the nodes' credential test (testedBy): GET {Base URL}/models through the
	// boundary, and a message per problem: wrong key, organization, project, a missing scope
	// (OpenAI answers 401 or 403), a Base URL without /models, one that does not answer.
	it('tests the credential like the Test button, with a distinct message per problem', async () => {
		const test = (label: string, extra: Record<string, unknown>) =>
			watch.time(`Test button: ${label}`, () => n8n.testCredential({ type: TYPE, name: 'Unsaved', data: data(extra) }));
		const closed = await listen('none', () => {});
		await closed.close();
		const strict = await startOpenAiServer({ scopeStatus: 401 });

		const good = await test('good key', {});
		assert.deepEqual(good, { status: 'OK', message: 'OpenAI accepted the key.' });

		const permission = (status: number) =>
			`The API key is valid but lacks the permission for this call (HTTP ${status}, missing scope api.model.read). Give the key Read permission for it, or All permissions, at https://platform.openai.com/api-keys.`;
		const cases: Array<[string, Record<string, unknown>, string]> = [
			[
				'invalid key',
				{ apiKey: WRONG_KEY },
				'OpenAI does not accept this API key (HTTP 401 invalid_api_key): it is mistyped, revoked or deleted. Paste a current key from https://platform.openai.com/api-keys.',
			],
			[
				'wrong organization',
				{ organizationId: 'org-someoneElse' },
				'The API key does not belong to the organization "org-someoneElse" (HTTP 401 mismatched_organization). Correct the Organization ID in the credential, or leave it empty to use the key\'s own organization.',
			],
			[
				'wrong project',
				{ projectId: 'proj_other' },
				'The API key does not belong to the project "proj_other" (HTTP 401 mismatched_project). Correct the Project ID in the credential, or leave it empty to use the key\'s own project.',
			],
			['restricted key (403)', { apiKey: OPENAI_KEYS.restricted }, permission(403)],
			['restricted key (401, as OpenAI also answers)', { apiKey: OPENAI_KEYS.restricted, baseUrl: strict.baseUrl }, permission(401)],
			[
				'Base URL without /models',
				{ baseUrl: `${openai.url}/api` },
				`GET ${openai.url}/api/models answered HTTP 404: this Base URL does not serve /models. For OpenAI it is https://api.openai.com/v1.`,
			],
			[
				'unreachable Base URL',
				{ baseUrl: `${closed.url}/v1` },
				`GET ${closed.url}/v1/models failed: the connection was refused: is the host and port right, and is the server running?`,
			],
		];
		const messages = new Set<string>();
		try {
			for (const [label, extra, expected] of cases) {
				const result = await test(label, extra);
				assert.deepEqual(result, { status: 'Error', message: expected }, label);
				messages.add(result.message);
			}
		} finally {
			await strict.close();
		}
		assert.equal(messages.size, cases.length, 'every problem has its own message');
		for (const message of messages) assert.doesNotMatch(message, /sk-|Wx77/);

		const saved = await watch.time('Test button: saved credential', () => n8n.testCredential({ id: credential.id }));
		assert.equal(saved.status, 'OK', saved.message);
	});

	it('fills the Model dropdown through the editor route (listSearch)', async () => {
		const answer = await watch.time('Model dropdown search', () =>
			n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
				path: 'parameters.modelId',
				nodeTypeAndVersion: { name: `${PACKAGE}.openAiModels`, version: 1 },
				currentNodeParameters: { resource: 'model', operation: 'get', modelId: { __rl: true, mode: 'list', value: '' } },
				methodName: 'searchModels',
				filter: 'ft:',
				credentials: { [TYPE]: credential },
			}),
		);
		assert.deepEqual(
			answer.results.map((r: { value: string }) => r.value),
			['ft:gpt-4o-mini-2024-07-18:rig-org:support-bot:AbC123xy', 'ft:gpt-3.5-turbo-0125:rig-org:faq:Xy12Ab34'],
		);
	});

	it('runs a workflow with OpenAI Models (list fine-tuned, newest first)', async () => {
		const id = await n8n.createWorkflow({
			name: 'E2E OpenAI Models',
			nodes: [
				manualTrigger(),
				{
					id: randomUUID(),
					name: 'Models',
					type: `${PACKAGE}.openAiModels`,
					typeVersion: 1,
					position: [220, 0],
					parameters: {
						resource: 'model',
						operation: 'list',
						returnAll: true,
						filters: { owner: 'fineTuned' },
						sort: 'newest',
						options: { includeMetadata: true },
					},
					credentials: { [TYPE]: credential },
				},
			],
			connections: connect('Start', 'Models'),
		});
		openai.requests.length = 0;
		const run = await watch.time('workflow run: OpenAI Models list', () => n8n.runWorkflowManually(id));
		assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes.Models?.error));
		const models = run.nodes.Models.json;
		assert.deepEqual(
			models.map((m) => m.id),
			['ft:gpt-4o-mini-2024-07-18:rig-org:support-bot:AbC123xy', 'ft:gpt-3.5-turbo-0125:rig-org:faq:Xy12Ab34'],
		);
		assert.equal(models[0].responseMetadata.requestId, openai.requests[0].requestId);
		assert.equal(openai.requests.length, 1, 'the key check does not run on normal calls');
		assert.equal(openai.requests[0].headers.authorization, `Bearer ${OPENAI_KEYS.all}`);
		assert.equal(openai.requests[0].headers['openai-organization'], RIG_ORG);
		assert.equal(openai.requests[0].headers['openai-project'], RIG_PROJECT);
	});

	it("works in n8n's HTTP Request node as a predefined credential type", async () => {
		const httpRequest = (cred: { id: string; name: string }) => ({
			id: randomUUID(),
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [220, 0],
			parameters: { url: `${openai.baseUrl}/models`, authentication: 'predefinedCredentialType', nodeCredentialType: TYPE, options: {} },
			credentials: { [TYPE]: cred },
		});
		const id = await n8n.createWorkflow({
			name: 'E2E OpenAI HTTP Request',
			nodes: [manualTrigger(), httpRequest(credential)],
			connections: connect('Start', 'HTTP Request'),
		});
		openai.requests.length = 0;
		const run = await watch.time('workflow run: HTTP Request node', () => n8n.runWorkflowManually(id));
		assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes['HTTP Request']?.error));
		assert.equal(run.nodes['HTTP Request'].json[0].object, 'list');
		assert.equal(run.nodes['HTTP Request'].json[0].data.length, 7);
		assert.equal(openai.requests[0].headers.authorization, `Bearer ${OPENAI_KEYS.all}`);
		assert.equal(openai.requests[0].headers['openai-project'], RIG_PROJECT);

		// A 401 makes n8n run the key check once; its message replaces the bare "Unauthorized".
		const wrong = await n8n.createCredential({ name: 'E2E OpenAI wrong key', type: TYPE, data: data({ apiKey: WRONG_KEY }) });
		const failing = await n8n.createWorkflow({
			name: 'E2E OpenAI HTTP Request 401',
			nodes: [manualTrigger(), httpRequest(wrong)],
			connections: connect('Start', 'HTTP Request'),
		});
		const refused = await watch.time('workflow run: HTTP Request node, wrong key', () => n8n.runWorkflowManually(failing));
		assert.equal(refused.status, 'error');
		const error = refused.nodes['HTTP Request'].error;
		assert.match(String(error?.message), /OpenAI does not accept this API key \(HTTP 401 invalid_api_key\)/, JSON.stringify(error));
		assert.doesNotMatch(JSON.stringify(refused.raw.data), /Wx77|sk-proj-e2eW/, 'no part of the key in the execution data');
	});

	it("keeps the keys out of n8n's log", () => {
		const log = readFileSync(n8n.logFile, 'utf8');
		for (const key of [OPENAI_KEYS.all, OPENAI_KEYS.restricted, WRONG_KEY]) assert.ok(!log.includes(key), `a key is in ${n8n.logFile}`);
	});
});
