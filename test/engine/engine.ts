// Runs workflow JSON through n8n-core's real execution engine (WorkflowExecute), with this
// package loaded from its package.json by n8n-core's own PackageDirectoryLoader, the way n8n
// loads an installed community package. Credentials live in memory; their authenticate() and
// preAuthentication() run exactly as n8n's CLI runs them for function-based credentials.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Core from 'n8n-core';
import type * as NW from 'n8n-workflow';
import { testNodeTypes } from './testNodes.ts';

// n8n-workflow's ESM build does not load under Node's native ESM; n8n-core and n8n-workflow
// must also share one instance. Both come through CommonJS require.
const require = createRequire(import.meta.url);
const core = require('n8n-core') as typeof Core;
const nw = require('n8n-workflow') as typeof NW;

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGE = 'n8n-nodes-api-connector';

interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: NW.ICredentialDataDecryptedObject;
}

let loaderPromise: Promise<Core.PackageDirectoryLoader> | undefined;

/** Loads dist/ through package.json, as n8n does. Build first. */
export async function loadPackage(): Promise<Core.PackageDirectoryLoader> {
	loaderPromise ??= (async () => {
		const loader = new core.PackageDirectoryLoader(root);
		await loader.loadAll();
		return loader;
	})();
	return await loaderPromise;
}

class NodeTypes implements NW.INodeTypes {
	private readonly types: Record<string, NW.INodeType | NW.IVersionedNodeType>;
	constructor(types: Record<string, NW.INodeType | NW.IVersionedNodeType>) {
		this.types = types;
	}
	getByName(type: string) {
		const found = this.types[type];
		if (!found) throw new Error(`Unknown node type ${type}`);
		return found;
	}
	getByNameAndVersion(type: string, version?: number): NW.INodeType {
		return nw.NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}
	getKnownTypes() {
		return {};
	}
}

/** An in-memory credential store with the same preAuthentication rules as n8n's CLI. */
export class MemoryCredentials extends nw.ICredentialsHelper {
	readonly stored = new Map<string, StoredCredential>();
	/** Every write of a credential (what n8n would persist), for counting refreshes. */
	readonly writes: Array<{ id: string; data: NW.ICredentialDataDecryptedObject }> = [];

	private readonly types: Record<string, NW.ICredentialType>;

	constructor(types: Record<string, NW.ICredentialType>) {
		super();
		this.types = types;
	}

	add(type: string, data: Record<string, unknown>, name = `${type} test`): { id: string; name: string } {
		const id = randomUUID();
		this.stored.set(id, { id, name, type, data: structuredClone(data) as NW.ICredentialDataDecryptedObject });
		return { id, name };
	}

	private type(name: string): NW.ICredentialType {
		const type = this.types[name];
		if (!type) throw new Error(`Unknown credential type ${name}`);
		return type;
	}

	getParentTypes(name: string): string[] {
		return this.types[name]?.extends ?? [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(credentials: NW.ICredentialDataDecryptedObject, typeName: string, requestOptions: NW.IHttpRequestOptions) {
		const { authenticate } = this.type(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate) throw new Error("Expression-based authenticate objects are resolved by n8n's CLI: test them end to end");
		return requestOptions;
	}

	async preAuthentication(
		helpers: NW.IHttpRequestHelper,
		credentials: NW.ICredentialDataDecryptedObject,
		typeName: string,
		node: NW.INode,
		credentialsExpired: boolean,
	) {
		const type = this.type(typeName);
		const expirable = type.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (!expirable || typeof type.preAuthentication !== 'function') return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await type.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		const reference = node.credentials?.[typeName];
		if (reference?.id)
			await this.updateCredentials(reference, typeName, {
				...this.stored.get(reference.id)?.data,
				...output,
			} as NW.ICredentialDataDecryptedObject);
		return Object.assign(credentials, output) as NW.ICredentialDataDecryptedObject;
	}

	async runPreAuthentication(helpers: NW.IHttpRequestHelper, credentials: NW.ICredentialDataDecryptedObject, typeName: string) {
		const type = this.type(typeName);
		if (typeof type.preAuthentication !== 'function') return undefined;
		return (await type.preAuthentication.call(helpers, credentials)) as NW.ICredentialDataDecryptedObject;
	}

	async getCredentials(nodeCredentials: NW.INodeCredentialsDetails, type: string): Promise<NW.ICredentials> {
		const stored = this.stored.get(nodeCredentials.id ?? '');
		if (!stored) throw new Error(`No credential ${nodeCredentials.id}`);
		const credentials = new core.Credentials({ id: stored.id, name: stored.name }, type);
		credentials.setData(stored.data);
		return credentials as unknown as NW.ICredentials;
	}

	async getDecrypted(
		_additionalData: NW.IWorkflowExecuteAdditionalData,
		nodeCredentials: NW.INodeCredentialsDetails,
		type: string,
	): Promise<NW.ICredentialDataDecryptedObject> {
		const stored = this.stored.get(nodeCredentials.id ?? '');
		if (!stored) throw new Error(`No credential ${nodeCredentials.id}`);
		// Defaults are filled in as n8n does, from the credential type's properties.
		const withDefaults = nw.NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			stored.data as NW.INodeParameters,
			true,
			false,
			null,
			null,
		);
		return structuredClone({ ...withDefaults, ...stored.data }) as NW.ICredentialDataDecryptedObject;
	}

	async updateCredentials(nodeCredentials: NW.INodeCredentialsDetails, _type: string, data: NW.ICredentialDataDecryptedObject) {
		const stored = this.stored.get(nodeCredentials.id ?? '');
		if (!stored) throw new Error(`No credential ${nodeCredentials.id}`);
		stored.data = structuredClone(data);
		this.writes.push({ id: stored.id, data: stored.data });
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: NW.INodeCredentialsDetails,
		type: string,
		data: NW.ICredentialDataDecryptedObject,
	) {
		await this.updateCredentials(nodeCredentials, type, data);
	}

	getCredentialsProperties(type: string): NW.INodeProperties[] {
		return this.type(type).properties;
	}
}

export interface Engine {
	credentials: MemoryCredentials;
	nodeTypes: NodeTypes;
	run(workflow: WorkflowJson, options?: { mode?: NW.WorkflowExecuteMode }): Promise<RunResult>;
}

export interface WorkflowJson {
	nodes: Array<Partial<NW.INode> & Pick<NW.INode, 'name' | 'type' | 'parameters'>>;
	connections: NW.IConnections;
}

export interface RunResult {
	run: NW.IRun;
	/** Output items (json) of a node's first run, first output. */
	output(nodeName: string): NW.IDataObject[];
	items(nodeName: string): NW.INodeExecutionData[];
	error(nodeName?: string): NW.ExecutionBaseError | undefined;
}

export async function createEngine(): Promise<Engine> {
	const loader = await loadPackage();
	const types: Record<string, NW.INodeType | NW.IVersionedNodeType> = { ...testNodeTypes() };
	for (const [name, { type }] of Object.entries(loader.nodeTypes)) types[`${PACKAGE}.${name}`] = type;
	const credentialTypes: Record<string, NW.ICredentialType> = {};
	for (const [name, { type }] of Object.entries(loader.credentialTypes)) credentialTypes[name] = type;
	const nodeTypes = new NodeTypes(types);
	const credentials = new MemoryCredentials(credentialTypes);

	const run = async (json: WorkflowJson, options: { mode?: NW.WorkflowExecuteMode } = {}): Promise<RunResult> => {
		const mode = options.mode ?? 'manual';
		const nodes = json.nodes.map((node, index) => ({
			id: node.id ?? randomUUID(),
			typeVersion: 1,
			position: [index * 200, 0] as [number, number],
			...node,
		})) as NW.INode[];
		const workflowData = {
			id: randomUUID(),
			name: 'engine test',
			nodes,
			connections: json.connections,
			active: false,
			settings: { executionOrder: 'v1' as const },
			createdAt: new Date(),
			updatedAt: new Date(),
			isArchived: false,
			activeVersionId: null,
		};
		const workflow = new nw.Workflow({
			id: workflowData.id,
			name: workflowData.name,
			nodes,
			connections: json.connections,
			active: false,
			nodeTypes,
			settings: workflowData.settings,
		});
		const executionId = randomUUID();
		const hooks = new core.ExecutionLifecycleHooks(mode, executionId, workflowData as unknown as NW.IWorkflowBase);
		const additionalData = {
			credentialsHelper: credentials,
			hooks,
			executionId,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			formBaseUrl: 'http://127.0.0.1:5678/form',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
			mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
			mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
			currentNodeExecutionIndex: 0,
			variables: {},
			userId: 'engine-test',
			executeWorkflow: async () => {
				throw new Error('not supported');
			},
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			logAiEvent: () => {},
		} as unknown as NW.IWorkflowExecuteAdditionalData;
		const startNode = nodes.find(
			(node) =>
				!Object.values(json.connections).some((c) => c.main?.some((outputs) => outputs?.some((target) => target.node === node.name))),
		);
		const result = await new core.WorkflowExecute(additionalData, mode).run({ workflow, startNode });
		const runData = result.data.resultData.runData;
		const items = (nodeName: string) => runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
		return {
			run: result,
			items,
			output: (nodeName: string) => items(nodeName).map((item) => item.json),
			error: (nodeName?: string) => (nodeName ? runData[nodeName]?.[0]?.error : result.data.resultData.error),
		};
	};
	return { credentials, nodeTypes, run };
}

/** A workflow: test items → one node under test. */
export function callWorkflow(
	parameters: NW.INodeParameters,
	options: {
		items?: NW.IDataObject[];
		count?: number;
		file?: { base64: string; mimeType: string };
		credential?: { type: string; id: string; name: string };
		continueOnFail?: boolean;
		type?: string;
	} = {},
): WorkflowJson {
	return {
		nodes: [
			{
				name: 'Items',
				type: 'apiTest.items',
				parameters: {
					items: JSON.stringify(options.items ?? []),
					count: options.count ?? 0,
					file: options.file?.base64 ?? '',
					fileType: options.file?.mimeType ?? '',
				},
			},
			{
				name: 'Call',
				type: options.type ?? `${PACKAGE}.configuredApiCall`,
				parameters,
				...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
				...(options.credential
					? { credentials: { [options.credential.type]: { id: options.credential.id, name: options.credential.name } } }
					: {}),
			},
		],
		connections: { Items: { main: [[{ node: 'Call', type: 'main', index: 0 }]] } },
	};
}

/**
 * A credential's Test button, as n8n's credentials tester runs it for a type that a node tests
 * (`testedBy`): the node's credentialTest function with n8n-core's own CredentialTestContext,
 * whose only request helper is the legacy `request`, and the credential's defaults filled in.
 */
export async function testCredential(
	engine: Engine,
	type: string,
	data: Record<string, unknown>,
	nodeType = `${PACKAGE}.configuredApiCall`,
): Promise<NW.INodeCredentialTestResult> {
	const node = engine.nodeTypes.getByNameAndVersion(nodeType);
	const testedBy = node.description.credentials?.find((credential) => credential.name === type)?.testedBy;
	const test = typeof testedBy === 'string' ? node.methods?.credentialTest?.[testedBy] : undefined;
	if (!test) throw new Error(`${nodeType} does not test ${type}`);
	const defaults = nw.NodeHelpers.getNodeParameters(
		engine.credentials.getCredentialsProperties(type),
		data as NW.INodeParameters,
		true,
		false,
		null,
		null,
	);
	const context = new core.CredentialTestContext({} as NW.IWorkflowExecuteAdditionalData);
	return await test.call(context as unknown as NW.ICredentialTestFunctions, {
		id: '',
		name: 'test',
		type,
		data: { ...defaults, ...data } as NW.ICredentialDataDecryptedObject,
	});
}
