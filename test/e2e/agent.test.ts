// End to end: Configured API Call as a tool of n8n's AI Agent (3.1 and 2.2) in a real n8n, with a
// fake OpenAI-compatible chat model (test/rig/chatModel.ts) behind n8n's own OpenAI Chat Model
// node. The model records what it is told, so the tests assert the tool's name, description and
// schema as a model receives them, that values the model chose through $fromAI() reach the API,
// what a failing call looks like to the model, and that a short-lived token is refreshed in time.
// Needs dist/ (npm run build); installs n8n into the cache folder on first use (~4 min).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startChatModel, textOf, type ChatModel, type ChatRequest } from '../rig/chatModel.ts';
import { listen, readBody, sendJson, type Listening } from '../rig/http.ts';
import { encodingsOf } from '../rig/leaks.ts';
import { startOAuth2Server, type OAuth2Server } from '../rig/oauth2Server.ts';
import { OPENAI_KEYS, RIG_ORG, RIG_PROJECT, startOpenAiServer, type OpenAiServer } from '../rig/openaiServer.ts';
import { ensureN8n, packPackage, startN8n, type Credential, type N8nInstance } from './n8n.ts';
import { manualTrigger, PACKAGE } from './workflows.ts';

const API_KEY = 'agent-e2e-key-7Qw9Zr2Lp5Xv';
const OPENAI_KEY = 'sk-e2eFakeModelKey000000000000000000000000000000Ab';
const LANGCHAIN = '@n8n/n8n-nodes-langchain';

interface ApiRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** The API the tool calls: POST /orders/{id}/notes with X-API-Key; order "missing" is a 404. */
async function startOrdersApi(): Promise<Listening & { requests: ApiRequest[] }> {
	const requests: ApiRequest[] = [];
	const listening = await listen('none', async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://api');
		const raw = (await readBody(req)).toString('utf8');
		requests.push({
			method: req.method ?? '',
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			body: raw ? JSON.parse(raw) : undefined,
		});
		if (req.headers['x-api-key'] !== API_KEY) return sendJson(res, 401, { error: 'unauthorized' });
		const match = /^\/orders\/([^/]+)\/notes$/.exec(url.pathname);
		if (!match || match[1] === 'missing') return sendJson(res, 404, { error: `order ${match?.[1] ?? ''} not found` });
		sendJson(res, 201, { order: match[1], note: (JSON.parse(raw || '{}') as { text?: string }).text, saved: true });
	});
	return Object.assign(listening, { requests });
}

const position = (x: number, y: number) => [x, y];

/** Manual trigger → AI Agent, with n8n's OpenAI Chat Model and one Configured API Call tool. */
function agentWorkflow(options: {
	agentVersion: number;
	prompt: string;
	tool: { name: string; [key: string]: unknown };
	model: Credential;
}) {
	const tool = {
		id: randomUUID(),
		position: position(500, 220),
		typeVersion: 1,
		type: `${PACKAGE}.configuredApiCallTool`,
		...options.tool,
	};
	const { name } = options.tool;
	return {
		name: `agent ${randomUUID()}`,
		nodes: [
			manualTrigger(),
			{
				id: randomUUID(),
				name: 'Agent',
				type: `${LANGCHAIN}.agent`,
				typeVersion: options.agentVersion,
				position: position(250, 0),
				parameters: { promptType: 'define', text: options.prompt, options: {} },
			},
			{
				id: randomUUID(),
				name: 'Model',
				type: `${LANGCHAIN}.lmChatOpenAi`,
				typeVersion: 1.3,
				position: position(250, 220),
				parameters: { model: { __rl: true, mode: 'id', value: 'fake-model' }, responsesApiEnabled: false, options: {} },
				credentials: { openAiApi: { id: options.model.id, name: options.model.name } },
			},
			tool,
		],
		connections: {
			Start: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			Model: { ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]] },
			[name]: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** The tool message the model received in a request, if any. */
const toolAnswer = (request: ChatRequest) => {
	const message = request.messages.find((m) => m.role === 'tool');
	return message && textOf(message);
};

describe('Configured API Call as an AI-agent tool in a real n8n', () => {
	let n8n: N8nInstance;
	let chat: ChatModel;
	let api: Awaited<ReturnType<typeof startOrdersApi>>;
	let auth: OAuth2Server;
	let openai: OpenAiServer;
	let modelCredential: Credential;
	let keyCredential: Credential;

	// The tool of the README's recipe: path, query and body from the model, each described.
	const notesTool = (name: string) => ({
		name,
		credentials: { apiConnectorHeaderKeyApi: { id: keyCredential.id, name: keyCredential.name } },
		parameters: {
			authentication: 'apiConnectorHeaderKeyApi',
			environment: 'live',
			method: 'POST',
			url: "=/orders/{{ $fromAI('orderId', 'The order number, for example 42', 'string') }}/notes",
			sendQuery: true,
			queryParameters: {
				parameters: [{ name: 'notify', value: "={{ $fromAI('notify', 'Whether to e-mail the customer about the note', 'boolean') }}" }],
			},
			sendBody: true,
			contentType: 'json',
			jsonInput: 'fields',
			bodyParameters: {
				parameters: [{ name: 'text', value: "={{ $fromAI('text', 'The note to add, in plain words', 'string') }}" }],
			},
		},
	});

	before(
		async () => {
			[chat, api, auth, openai] = await Promise.all([
				startChatModel(),
				startOrdersApi(),
				startOAuth2Server({
					clients: [{ id: 'agent', secret: 'agent-secret' }],
					users: [{ username: 'agent', password: 'agent-pass' }],
					lifetime: 10,
				}),
				startOpenAiServer(),
			]);
			await ensureN8n();
			n8n = await startN8n({ tarball: packPackage() });
			modelCredential = await n8n.createCredential({
				name: 'Fake model',
				type: 'openAiApi',
				data: { apiKey: OPENAI_KEY, url: chat.baseUrl },
			});
			keyCredential = await n8n.createCredential({
				name: 'Orders API',
				type: 'apiConnectorHeaderKeyApi',
				data: { headerName: 'X-API-Key', prefixFormat: 'plain', apiKey: API_KEY, baseUrl: api.url, testUrl: '/orders/1/notes' },
			});
		},
		{ timeout: 20 * 60_000 },
	);

	after(async () => {
		await n8n?.stop();
		await Promise.all([chat?.close(), api?.close(), auth?.close(), openai?.close()]);
	});

	for (const agentVersion of [3.1, 2.2]) {
		it(`AI Agent ${agentVersion}: the model gets the tool's description and schema; its values reach the API`, async () => {
			// Each version's own order, so that a late call of another test cannot be mistaken for this one's.
			const order = String(agentVersion).replace('.', '');
			chat.toolCall = { arguments: { orderId: order, notify: true, text: 'Parcel left at the door' } };
			const id = await n8n.createWorkflow(
				agentWorkflow({
					agentVersion,
					prompt: `Note on order ${order} that the parcel was left at the door.`,
					tool: notesTool('Add order note'),
					model: modelCredential,
				}),
			);
			const result = await n8n.runWorkflowManually(id, { timeoutMs: 120_000 });
			assert.equal(result.status, 'success', JSON.stringify(result.error ?? result.nodes.Agent?.error));

			const [first, second] = chat.requests.filter((request) =>
				textOf(request.messages.find((m) => m.role === 'user')!).includes(`order ${order} `),
			);
			const tools = first.tools ?? [];
			assert.equal(tools.length, 1);
			const { name, description, parameters } = tools[0].function;
			console.log(`AI Agent ${agentVersion}, tool as the model received it:\n${JSON.stringify(tools[0], null, 2)}`);
			assert.equal(name, 'Add_order_note');
			assert.equal(
				description,
				"Calls POST /orders/{orderId}/notes (a path on the credential's Base URL) with its Private Key in Header credential. Returns the response body (JSON, or text). A refused call fails with the HTTP status and the API's message.",
			);
			const schema = parameters as { type: string; properties: Record<string, { type: string; description: string }>; required: string[] };
			assert.equal(schema.type, 'object');
			assert.deepEqual(
				Object.fromEntries(Object.entries(schema.properties).map(([key, value]) => [key, [value.type, value.description]])),
				{
					orderId: ['string', 'The order number, for example 42'],
					notify: ['boolean', 'Whether to e-mail the customer about the note'],
					text: ['string', 'The note to add, in plain words'],
				},
			);
			assert.deepEqual([...schema.required].sort(), ['notify', 'orderId', 'text']);

			// The call the model asked for, with its values, and nothing else.
			const calls = api.requests.filter((request) => request.path.startsWith(`/orders/${order}/`));
			assert.equal(calls.length, 1);
			const [call] = calls;
			assert.equal(call.method, 'POST');
			assert.equal(call.path, `/orders/${order}/notes`);
			assert.deepEqual(call.query, { notify: 'true' });
			assert.deepEqual(call.body, { text: 'Parcel left at the door' });
			assert.equal(call.headers['x-api-key'], API_KEY);

			// The API's answer went back to the model, and the agent's answer is the model's.
			assert.deepEqual(JSON.parse(toolAnswer(second) ?? 'null'), [{ order, note: 'Parcel left at the door', saved: true }]);
			assert.match(String(result.nodes.Agent.json[0].output), /^The tool answered: /);
		});
	}

	it('OpenAI Models as a tool: the description names the operation; the model picks the model ID', async () => {
		chat.requests.length = 0;
		const credential = await n8n.createCredential({
			name: 'OpenAI rig',
			type: 'apiConnectorOpenAiApi',
			data: { apiKey: OPENAI_KEYS.all, organizationId: RIG_ORG, projectId: RIG_PROJECT, baseUrl: openai.baseUrl },
		});
		const tool = {
			name: 'Get model',
			type: `${PACKAGE}.openAiModelsTool`,
			credentials: { apiConnectorOpenAiApi: { id: credential.id, name: credential.name } },
			parameters: {
				resource: 'model',
				operation: 'get',
				modelId: { __rl: true, mode: 'id', value: "={{ $fromAI('model', 'The model ID, for example gpt-4o', 'string') }}" },
			},
		};
		chat.toolCall = { arguments: { model: 'gpt-4o-mini' } };
		const id = await n8n.createWorkflow(
			agentWorkflow({ agentVersion: 3.1, prompt: 'Tell me about gpt-4o-mini.', tool, model: modelCredential }),
		);
		const result = await n8n.runWorkflowManually(id, { timeoutMs: 120_000 });
		assert.equal(result.status, 'success', JSON.stringify(result.error ?? result.nodes.Agent?.error));
		const { name, description, parameters } = (chat.requests[0].tools ?? [])[0].function;
		console.log(`OpenAI Models tool as the model received it: ${JSON.stringify({ name, description, parameters })}`);
		assert.equal(name, 'Get_model');
		assert.equal(
			description,
			'Gets the model {model} from the OpenAI (or OpenAI-compatible) API of its credential. Returns its id, object, created (Unix time) and owned_by.',
		);
		assert.deepEqual(Object.keys((parameters as { properties: object }).properties), ['model']);
		assert.equal(JSON.parse(toolAnswer(chat.requests[1]) ?? '[{}]')[0].id, 'gpt-4o-mini');
	});

	it('a failing call reaches the model as a readable error that holds no secret', async () => {
		chat.requests.length = 0;
		api.requests.length = 0;
		chat.toolCall = { arguments: { orderId: 'missing', notify: false, text: 'Hello' } };
		const id = await n8n.createWorkflow(
			agentWorkflow({
				agentVersion: 3.1,
				prompt: 'Note "Hello" on order missing.',
				tool: notesTool('Add order note'),
				model: modelCredential,
			}),
		);
		const result = await n8n.runWorkflowManually(id, { timeoutMs: 120_000 });
		assert.equal(api.requests.filter((request) => request.path === '/orders/missing/notes').length, 1);
		const mine = chat.requests.filter((request) => textOf(request.messages.find((m) => m.role === 'user')!).includes('order missing'));
		const answer = mine.map(toolAnswer).find(Boolean);
		console.log(`Agent status ${result.status}; the tool's error as the model received it:\n${answer}`);
		assert.ok(answer, `the model never received the tool's answer (execution ${result.status}: ${JSON.stringify(result.error)})`);
		assert.match(answer, /404/);
		assert.match(answer, /order missing not found/);
		// Nothing the model received, in any request, holds the key in any encoding.
		const everything = JSON.stringify(chat.requests);
		for (const { encoding, text } of encodingsOf(API_KEY)) assert.ok(!everything.includes(text), `the key reached the model (${encoding})`);
	});

	it('a token with a 10-second lifetime is refreshed before expiry across a minute of tool runs', { timeout: 5 * 60_000 }, async () => {
		const credential = await n8n.createCredential({
			name: 'Short token',
			type: 'apiConnectorPasswordGrantOAuth2Api',
			data: {
				tokenUrl: auth.tokenUrl,
				username: 'agent',
				password: 'agent-pass',
				clientId: 'agent',
				clientSecret: 'agent-secret',
				baseUrl: auth.url,
				testUrl: '/api/me',
			},
		});
		const tool = {
			name: 'Who am I',
			credentials: { apiConnectorPasswordGrantOAuth2Api: { id: credential.id, name: credential.name } },
			parameters: { authentication: 'apiConnectorPasswordGrantOAuth2Api', method: 'GET', url: '/api/me' },
		};
		const id = await n8n.createWorkflow(agentWorkflow({ agentVersion: 3.1, prompt: 'Who am I?', tool, model: modelCredential }));
		chat.toolCall = { arguments: {} };
		const before = { api: auth.counts.api, tokens: auth.log.length };
		const started = Date.now();
		let runs = 0;
		while (Date.now() - started < 60_000) {
			chat.requests.length = 0;
			const result = await n8n.runWorkflowManually(id, { timeoutMs: 120_000 });
			assert.equal(result.status, 'success', JSON.stringify(result.error ?? result.nodes.Agent?.error));
			assert.equal(JSON.parse(toolAnswer(chat.requests[1]) ?? '[{}]')[0].sub, 'agent');
			runs++;
		}
		const tokens = auth.log.slice(before.tokens);
		console.log(
			`${runs} tool runs in ${((Date.now() - started) / 1000).toFixed(0)} s: ${tokens.length} token requests, ${auth.counts.api - before.api} API calls`,
		);
		// One API call per run: a refused call (401) would have been retried and counted twice.
		assert.equal(auth.counts.api - before.api, runs);
		assert.ok(tokens.every((entry) => entry.ok));
		// About one token per 8 s (refresh at 80% of the lifetime), not one per call.
		assert.ok(tokens.length >= 5 && tokens.length <= 12, `${tokens.length} token requests`);
		assert.ok(runs > tokens.length, `${runs} runs, ${tokens.length} tokens`);
	});
});
