// The default tool description of the nodes' AI-agent tool variants, computed the way n8n 2.41
// computes it when an agent builds its tools: the Workflow fills the node's defaults in, and
// NodeHelpers.getToolDescriptionForNode resolves an expression description through n8n's own
// expression engine. The schema side (test/e2e/agent.test.ts) is checked with a real agent.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import type * as NW from 'n8n-workflow';
import { createEngine, PACKAGE, type Engine } from './engine.ts';

const nw = createRequire(import.meta.url)('n8n-workflow') as typeof NW;

let engine: Engine;
before(async () => {
	engine = await createEngine();
});

/** The tool variant n8n makes of a usableAsTool node: the same node under a name ending in Tool. */
function toolType(name: string): NW.INodeType {
	const base = engine.nodeTypes.getByNameAndVersion(`${PACKAGE}.${name}`);
	return Object.assign(Object.create(base) as NW.INodeType, { description: { ...base.description, name: `${base.description.name}Tool` } });
}

/** What a model reads about a tool node with these stored parameters. */
async function described(name: string, parameters: NW.INodeParameters): Promise<{ description: string; fromAi: string[] }> {
	const type = toolType(name);
	const node: NW.INode = { id: 'tool', name: 'Tool', type: `${PACKAGE}.${name}Tool`, typeVersion: 1, position: [0, 0], parameters };
	const nodeTypes = { ...engine.nodeTypes, getByNameAndVersion: () => type, getByName: () => type } as unknown as NW.INodeTypes;
	const workflow = new nw.Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const filled = workflow.getNode('Tool')!;
	const resolve = () =>
		workflow.expression.getParameterValue(filled.parameters.toolDescription as string, null, 0, 0, 'Tool', [], 'manual', {}) as string;
	const fromAi: NW.FromAIArgument[] = [];
	nw.traverseNodeParameters(filled.parameters, fromAi);
	return { description: nw.NodeHelpers.getToolDescriptionForNode(filled, type, resolve), fromAi: fromAi.map((a) => a.key) };
}

describe('default tool descriptions', () => {
	it('Configured API Call: method, path with AI values as {key}, credential and answer; no $fromAI of its own', async () => {
		const { description, fromAi } = await described('configuredApiCall', {
			authentication: 'apiConnectorHeaderKeyApi',
			method: 'DELETE',
			url: "=/orders/{{ $fromAI('orderId', 'The order', 'string') }}/lines/{{ $json.line }}",
		});
		assert.equal(
			description,
			"Calls DELETE /orders/{orderId}/lines/{…} (a path on the credential's Base URL) with its Private Key in Header credential. Returns the response body (JSON, or text). A refused call fails with the HTTP status and the API's message.",
		);
		// The description's own expression must not add a parameter to the tool's schema.
		assert.deepEqual(fromAi, ['orderId']);
	});

	it('Configured API Call: an absolute URL, no credential, and the response options', async () => {
		const { description } = await described('configuredApiCall', {
			url: 'https://api.example.com/v1/items',
			response: { format: 'json', fullResponse: true, itemsPath: 'data.items', neverError: true },
		});
		assert.equal(
			description,
			'Calls GET https://api.example.com/v1/items with no credential. Returns the JSON response body with its status code and headers, one result per element of data.items. An error status comes back as data too.',
		);
	});

	it("a description the user wrote is the model's", async () => {
		const { description } = await described('configuredApiCall', { url: '/x', toolDescription: 'Adds a note to an order.' });
		assert.equal(description, 'Adds a note to an order.');
	});

	it('OpenAI Models: by operation, with the model ID the model fills in', async () => {
		const get = await described('openAiModels', {
			operation: 'get',
			modelId: { __rl: true, mode: 'id', value: "={{ $fromAI('model', 'The model ID', 'string') }}" },
		});
		assert.equal(
			get.description,
			'Gets the model {model} from the OpenAI (or OpenAI-compatible) API of its credential. Returns its id, object, created (Unix time) and owned_by.',
		);
		assert.deepEqual(get.fromAi, ['model']);
		const list = await described('openAiModels', {});
		assert.equal(
			list.description,
			'Lists the models the OpenAI (or OpenAI-compatible) API of its credential offers. Returns one result per model with its id, object, created (Unix time) and owned_by.',
		);
		const remove = await described('openAiModels', {
			operation: 'delete',
			modelId: { __rl: true, mode: 'id', value: 'ft:gpt-4o-mini:acme::x1' },
		});
		assert.equal(
			remove.description,
			'Deletes the fine-tuned model ft:gpt-4o-mini:acme::x1 (IDs start with ft:) from the OpenAI (or OpenAI-compatible) API of its credential. Returns its id and whether it was deleted.',
		);
	});

	it('the field belongs to the tool variant only', async () => {
		const base = engine.nodeTypes.getByNameAndVersion(`${PACKAGE}.configuredApiCall`);
		const node: NW.INode = {
			id: 'n',
			name: 'Call',
			type: `${PACKAGE}.configuredApiCall`,
			typeVersion: 1,
			position: [0, 0],
			parameters: { url: '/x' },
		};
		const filled = nw.NodeHelpers.getNodeParameters(base.description.properties, node.parameters, true, false, node, base.description);
		assert.equal(filled?.toolDescription, undefined);
	});
});
