import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeExecutionData,
	type INodeListSearchResult,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { OPENAI_CREDENTIAL } from '../../credentials/common/openAi';
import { CancelledError } from '../../credentials/common/transport';
import { testCredential } from '../shared/credentialTest';
import { asNodeError, errorItem } from '../shared/errors';
import { CallSession } from '../shared/session';
import type { Action } from './actions/common';
import { deleteModel } from './actions/delete';
import { getModel } from './actions/get';
import { fetchModels, listModels, sortModels } from './actions/list';
import { properties } from './description';
import { retryPolicy, SURFACE, type OpenAiApi } from './transport';

const ACTIONS: Record<string, Action> = {
	list: listModels,
	get: getModel,
	delete: deleteModel,
};

export class OpenAiModels implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI Models',
		name: 'openAiModels',
		icon: { light: 'file:openAiModels.svg', dark: 'file:openAiModels.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Lists, gets and deletes the models of OpenAI or an OpenAI-compatible API',
		defaults: { name: 'OpenAI Models' },
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-api-connector#openai-models',
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'apiConnectorOpenAiApi', required: true, testedBy: 'testCredential' }],
		properties,
	};

	methods = {
		credentialTest: { testCredential },
		listSearch: {
			// The Model dropdown: the models this key can see, newest first, filtered by the text typed.
			async searchModels(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
				const api: OpenAiApi = {
					session: await CallSession.open(this, OPENAI_CREDENTIAL, 'live', SURFACE),
					node: this.getNode(),
					retry: retryPolicy(1),
				};
				const { models } = await fetchModels(api, 0);
				const text = (filter ?? '').trim().toLowerCase();
				const results = sortModels(models, 'newest')
					.filter((model) => !text || String(model.id).toLowerCase().includes(text))
					.map((model) => ({ name: String(model.id), value: String(model.id), description: `Owned by ${String(model.owned_by)}` }));
				return { results };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const node = this.getNode();
		let session: CallSession;
		try {
			// The credential is read once for the whole execution.
			session = await CallSession.open(this, OPENAI_CREDENTIAL, 'live', SURFACE);
		} catch (error) {
			throw new NodeOperationError(node, error as Error);
		}
		const options = this.getNodeParameter('options', 0, {}) as IDataObject;
		const api: OpenAiApi = {
			session,
			node,
			retry: retryPolicy((options.retries as number) ?? 3),
		};
		const output: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			if (session.cancel?.aborted) throw new NodeOperationError(node, new CancelledError());
			try {
				const operation = this.getNodeParameter('operation', itemIndex) as string;
				const action = ACTIONS[operation];
				if (!action) throw new NodeOperationError(node, `The operation "${operation}" is not supported.`, { itemIndex });
				output.push(...(await action(this, api, itemIndex)));
			} catch (error) {
				const nodeError = asNodeError(node, error, itemIndex);
				if (error instanceof CancelledError || !this.continueOnFail()) throw nodeError;
				output.push(errorItem(nodeError, itemIndex));
			}
		}
		return [output];
	}
}
