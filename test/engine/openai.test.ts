// The OpenAI credential and the OpenAI Models node through n8n-core's real engine, against the
// local OpenAI-compatible server in test/rig/openaiServer.ts. Build first (npm run build).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, beforeEach, describe, test } from 'node:test';
import type * as Core from 'n8n-core';
import type * as NW from 'n8n-workflow';
import { listen } from '../rig/http.ts';
import { OPENAI_KEYS, RIG_ORG, RIG_PROJECT, startOpenAiServer, type OpenAiServer } from '../rig/openaiServer.ts';
import { callWorkflow, createEngine, PACKAGE, testCredential, type Engine } from './engine.ts';

const require = createRequire(import.meta.url);
const core = require('n8n-core') as typeof Core;
const nw = require('n8n-workflow') as typeof NW;

const TYPE = 'apiConnectorOpenAiApi';
const NODE = `${PACKAGE}.openAiModels`;
const FINE_TUNED = 'ft:gpt-4o-mini-2024-07-18:rig-org:support-bot:AbC123xy';

let server: OpenAiServer;
let engine: Engine;
before(async () => {
	server = await startOpenAiServer();
	engine = await createEngine();
});
after(async () => await server.close());
beforeEach(() => server.reset());

const goodCredential = () => ({ apiKey: OPENAI_KEYS.all, organizationId: RIG_ORG, projectId: RIG_PROJECT, baseUrl: server.baseUrl });

function addCredential(data: NW.IDataObject = {}) {
	return { type: TYPE, ...engine.credentials.add(TYPE, { ...goodCredential(), ...data }) };
}

async function runNode(
	parameters: NW.INodeParameters,
	options: { credential?: NW.IDataObject; items?: NW.IDataObject[]; continueOnFail?: boolean } = {},
) {
	const result = await engine.run(
		callWorkflow(
			{ resource: 'model', ...parameters },
			{ type: NODE, credential: addCredential(options.credential), items: options.items, continueOnFail: options.continueOnFail },
		),
	);
	return { result, output: result.output('Call'), items: result.items('Call'), error: result.error('Call') };
}

const byId = (value: string) => ({ __rl: true, mode: 'id', value });

/** No part of a key (whole, or the first/last characters OpenAI quotes) in a text. */
function assertNoKey(text: string, key: string) {
	assert.doesNotMatch(text, /sk-/, text);
	assert.ok(!text.includes(key.slice(-4)), `the key's last four characters appear in: ${text}`);
}

describe('List', () => {
	test('returns all models, with pairedItem, sending key, organization and project', async () => {
		const { output, items, error } = await runNode({ operation: 'list', returnAll: true });
		assert.equal(error, undefined, error?.message);
		assert.equal(output.length, 7);
		assert.deepEqual(output[0], { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' });
		assert.ok(items.every((item) => (item.pairedItem as NW.IPairedItemData).item === 0));
		const [seen] = server.requests;
		assert.equal(seen.path, '/v1/models');
		assert.equal(seen.headers.authorization, `Bearer ${OPENAI_KEYS.all}`);
		assert.equal(seen.headers['openai-organization'], RIG_ORG);
		assert.equal(seen.headers['openai-project'], RIG_PROJECT);
	});

	test('stops at the limit', async () => {
		const { output } = await runNode({ operation: 'list', returnAll: false, limit: 2 });
		assert.deepEqual(
			output.map((m) => m.id),
			['gpt-4o', 'gpt-4o-mini'],
		);
	});

	test('filters by owner, owned_by and ID prefix', async () => {
		const ids = async (filters: NW.INodeParameters) =>
			(await runNode({ operation: 'list', returnAll: true, filters })).output.map((m) => m.id);
		assert.deepEqual(await ids({ owner: 'fineTuned' }), [FINE_TUNED, 'ft:gpt-3.5-turbo-0125:rig-org:faq:Xy12Ab34']);
		assert.equal((await ids({ owner: 'openai' })).length, 5);
		assert.deepEqual(await ids({ ownedBy: 'openai-internal' }), ['whisper-1']);
		assert.deepEqual(await ids({ idPrefix: 'gpt-4o' }), ['gpt-4o', 'gpt-4o-mini']);
	});

	test('sorts by creation time before the limit', async () => {
		const newest = await runNode({ operation: 'list', returnAll: false, limit: 2, sort: 'newest' });
		assert.deepEqual(
			newest.output.map((m) => m.id),
			[FINE_TUNED, 'gpt-4o-mini'],
		);
		const oldest = await runNode({ operation: 'list', returnAll: true, sort: 'oldest' });
		assert.equal(oldest.output[0].id, 'whisper-1');
		assert.equal(oldest.output.at(-1)?.id, FINE_TUNED);
	});

	test('adds response metadata when asked', async () => {
		const { output } = await runNode({ operation: 'list', returnAll: false, limit: 1, options: { includeMetadata: true } });
		const metadata = output[0].responseMetadata as NW.IDataObject;
		assert.equal(metadata.requestId, server.requests[0].requestId);
		assert.equal(metadata.organization, RIG_ORG);
		assert.deepEqual(metadata.rateLimit, {
			limitRequests: 500,
			remainingRequests: 499,
			resetRequests: '120ms',
			limitTokens: 200000,
			remainingTokens: 200000,
			resetTokens: '0s',
		});
	});
});

describe('Get and Delete', () => {
	test('gets a model by ID, fine-tuned IDs with colons included', async () => {
		const { output, error } = await runNode({ operation: 'get', modelId: byId(FINE_TUNED) });
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(output, [{ id: FINE_TUNED, object: 'model', created: 1730000000, owned_by: RIG_ORG }]);
	});

	test('an unknown model is a clear 404 error', async () => {
		const { error } = await runNode({ operation: 'get', modelId: byId('gpt-nope') });
		assert.equal(
			error?.message,
			'Model "gpt-nope" not found (HTTP 404 model_not_found): it does not exist, was deleted, or this key\'s organization and project cannot see it.',
		);
		assert.match(
			String(error?.description),
			/^OpenAI said: The model `gpt-nope` does not exist or you do not have access to it\. Request ID: req_/,
		);
	});

	test('deletes a fine-tuned model and returns { id, deleted }', async () => {
		const { output, error } = await runNode({ operation: 'delete', modelId: { __rl: true, mode: 'list', value: FINE_TUNED } });
		assert.equal(error, undefined, error?.message);
		assert.deepEqual(output, [{ id: FINE_TUNED, deleted: true }]);
		assert.equal(server.requests[0].method, 'DELETE');
		assert.ok(!server.models.some((m) => m.id === FINE_TUNED));
	});

	test('a read-only key cannot delete: the error names the missing permission', async () => {
		const { error } = await runNode({ operation: 'delete', modelId: byId(FINE_TUNED) }, { credential: { apiKey: OPENAI_KEYS.readOnly } });
		assert.equal(
			error?.message,
			'The API key is valid but lacks the permission for this call (HTTP 403, missing scope api.model.write). A read-only or restricted key cannot do this: give the key Write permission for it, or All permissions, at https://platform.openai.com/api-keys.',
		);
		assert.ok(
			server.models.some((m) => m.id === FINE_TUNED),
			'nothing was deleted',
		);
	});

	test('a wrong key: 401 invalid_api_key, with no part of the key in the error', async () => {
		const wrong = 'sk-proj-wrongKeyForTheRig000000000000000000000Zz99';
		const { error } = await runNode({ operation: 'list', returnAll: true }, { credential: { apiKey: wrong } });
		assert.equal(
			error?.message,
			'OpenAI does not accept this API key (HTTP 401 invalid_api_key): it is mistyped, revoked or deleted. Paste a current key from https://platform.openai.com/api-keys.',
		);
		assertNoKey(JSON.stringify({ message: error?.message, description: error?.description, error }), wrong);
	});

	test('continueOnFail: a bad item becomes an error item, the others go on', async () => {
		const { items, error } = await runNode(
			{ operation: 'get', modelId: byId('={{ $json.model }}') },
			{ items: [{ model: 'gpt-4o' }, { model: 'gpt-nope' }, { model: 'whisper-1' }], continueOnFail: true },
		);
		assert.equal(error, undefined);
		assert.deepEqual(
			items.map((item) => [(item.pairedItem as NW.IPairedItemData).item, item.json.id ?? 'error']),
			[
				[0, 'gpt-4o'],
				[1, 'error'],
				[2, 'whisper-1'],
			],
		);
		assert.match(String(items[1].json.error), /^Model "gpt-nope" not found \(HTTP 404 model_not_found\)/);
	});
});

describe('Rate limits', () => {
	test('429 with Retry-After is retried, then succeeds', async () => {
		server.rateLimit(2, '0.05');
		const started = performance.now();
		const { output, error } = await runNode({ operation: 'get', modelId: byId('gpt-4o') });
		assert.equal(error, undefined, error?.message);
		assert.equal(output[0].id, 'gpt-4o');
		assert.equal(server.requests.length, 3);
		assert.ok(performance.now() - started >= 100, 'waited as Retry-After said');
	});

	test('a 429 storm stops after the retries with a clear error', async () => {
		server.rateLimit(100, '0.01');
		const { error } = await runNode({ operation: 'list', returnAll: true, options: { retries: 2 } });
		assert.match(
			String(error?.message),
			/^OpenAI is rate limiting this key \(HTTP 429 rate_limit_exceeded\): still after 3 tries in \d+\.\d s\. Send fewer calls at once, raise Rate Limit Retries, or ask OpenAI for a higher limit\.$/,
		);
		assert.match(String(error?.description), /OpenAI said: Rate limit reached for requests in organization org-rigTestOrg123/);
		assert.equal(server.requests.length, 3);
	});

	test('a Retry-After beyond the bound is not waited for', async () => {
		server.rateLimit(1, '120');
		const started = performance.now();
		const { error } = await runNode({ operation: 'list', returnAll: true });
		assert.ok(performance.now() - started < 5000);
		assert.match(String(error?.message), /OpenAI asked to wait 120 s more \(Retry-After\), beyond this node's limit of 60 s per call/);
		assert.equal(server.requests.length, 1);
	});

	test('a used-up quota is not retried', async () => {
		server.quotaExhausted = true;
		const { error } = await runNode({ operation: 'list', returnAll: true });
		assert.match(String(error?.message), /^OpenAI's quota is used up \(HTTP 429 insufficient_quota\): waiting does not help/);
		assert.equal(server.requests.length, 1);
	});
});

describe('Credential', () => {
	test("works in Configured API Call: GET /models below the credential's Base URL", async () => {
		const credential = addCredential();
		const result = await engine.run(callWorkflow({ authentication: TYPE, method: 'GET', url: '/models' }, { credential }));
		assert.equal(result.error(), undefined, result.error()?.message);
		const [body] = result.output('Call');
		assert.equal(body.object, 'list');
		assert.equal((body.data as unknown[]).length, 7);
		assert.equal(server.requests[0].headers.authorization, `Bearer ${OPENAI_KEYS.all}`);
		assert.equal(server.requests[0].headers['openai-project'], RIG_PROJECT);
	});

	test("extra headers are sent; they cannot replace the credential's own headers", async () => {
		const extra = (values: NW.IDataObject[]) => ({ extraHeaders: { values } });
		const ok = await runNode(
			{ operation: 'list', returnAll: false, limit: 1 },
			{ credential: extra([{ name: 'X-Proxy-Token', value: 'proxy-secret' }]) },
		);
		assert.equal(ok.error, undefined, ok.error?.message);
		assert.equal(server.requests[0].headers['x-proxy-token'], 'proxy-secret');
		const clash = await runNode(
			{ operation: 'list', returnAll: true },
			{ credential: extra([{ name: 'authorization', value: 'Bearer other' }]) },
		);
		assert.match(String(clash.error?.message), /Extra Headers: "authorization" is set by the credential itself/);
	});

	// The Test button: OpenAI Models' credential test (its testedBy), as n8n's tester runs it.
	const checked = async (data: NW.IDataObject) => {
		const result = await testCredential(engine, TYPE, { ...goodCredential(), ...data }, NODE);
		return result.status === 'OK' ? undefined : result.message;
	};

	test('key check: a good key passes', async () => {
		assert.equal(await checked({}), undefined);
		assert.deepEqual(
			server.requests.map((r) => r.path),
			['/v1/models'],
		);
	});

	test('key check messages tell apart key, organization, project, permission and Base URL', async () => {
		const closed = await listen('none', () => {});
		await closed.close();
		const cases: Array<[string, NW.IDataObject, string]> = [
			[
				'invalid key',
				{ apiKey: 'sk-proj-notARealKey0000000000000000000000000000Qq11' },
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
			[
				'restricted key',
				{ apiKey: OPENAI_KEYS.restricted },
				'The API key is valid but lacks the permission for this call (HTTP 403, missing scope api.model.read). Give the key Read permission for it, or All permissions, at https://platform.openai.com/api-keys.',
			],
			[
				'unreachable Base URL',
				{ baseUrl: `${closed.url}/v1` },
				`GET ${closed.url}/v1/models failed: the connection was refused: is the host and port right, and is the server running?`,
			],
			[
				'Base URL that is not an OpenAI API',
				{ baseUrl: `${server.url}/api` },
				`GET ${server.url}/api/models answered HTTP 404: this Base URL does not serve /models. For OpenAI it is https://api.openai.com/v1.`,
			],
		];
		for (const [label, data, expected] of cases) {
			assert.equal(await checked(data), expected, label);
		}
	});

	test('key check: a restricted key answered with 401 (as OpenAI also does) is still a permission problem', async () => {
		const strict = await startOpenAiServer({ scopeStatus: 401 });
		try {
			const message = await checked({ apiKey: OPENAI_KEYS.restricted, baseUrl: strict.baseUrl });
			assert.match(
				String(message),
				/^The API key is valid but lacks the permission for this call \(HTTP 401, missing scope api\.model\.read\)/,
			);
		} finally {
			await strict.close();
		}
	});
});

describe('Model dropdown (listSearch)', () => {
	test('lists the models the key can see, newest first, filtered by the typed text', async () => {
		const credential = addCredential();
		const node = {
			id: 'n1',
			name: 'Models',
			type: NODE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			parameters: {},
			credentials: { [TYPE]: { id: credential.id, name: credential.name } },
		};
		const workflow = new nw.Workflow({ id: 'w1', nodes: [node], connections: {}, active: false, nodeTypes: engine.nodeTypes });
		const additionalData = {
			credentialsHelper: engine.credentials,
			currentNodeParameters: {},
			restApiUrl: '',
			instanceBaseUrl: '',
			webhookBaseUrl: '',
			webhookWaitingBaseUrl: '',
			webhookTestBaseUrl: '',
			formWaitingBaseUrl: '',
			variables: {},
		} as unknown as NW.IWorkflowExecuteAdditionalData;
		const context = new core.LoadOptionsContext(workflow, node, additionalData, 'parameters.modelId');
		const type = engine.nodeTypes.getByNameAndVersion(NODE, 1);
		const search = type.methods?.listSearch?.searchModels as (
			this: NW.ILoadOptionsFunctions,
			filter?: string,
		) => Promise<NW.INodeListSearchResult>;
		const all = await search.call(context);
		assert.equal(all.results.length, 7);
		assert.deepEqual(all.results[0], { name: FINE_TUNED, value: FINE_TUNED, description: `Owned by ${RIG_ORG}` });
		const filtered = await search.call(context, 'MINI');
		assert.deepEqual(
			filtered.results.map((r) => r.value),
			[FINE_TUNED, 'gpt-4o-mini'],
		);
		assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${OPENAI_KEYS.all}`);
	});
});
