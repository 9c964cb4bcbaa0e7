import type { INodeProperties } from 'n8n-workflow';

import { shownText, toolDescriptionField } from '../shared/toolDescription';

// What the user sets on an OpenAI Models node. The actions read these by name.

const forOperations = (...operation: string[]) => ({ show: { resource: ['model'], operation } });

// The tool description a model reads by default, by operation (see shared/toolDescription.ts).
const toolDescription = toolDescriptionField(
	[
		'(() => {',
		// n8n's parameter proxy hands a resource locator's value out directly.
		'const locator = $rawParameter.modelId;',
		`const model = ${shownText("(locator && typeof locator === 'object' ? locator.value : locator)")};`,
		"const api = 'the OpenAI (or OpenAI-compatible) API of its credential';",
		"const fields = 'id, object, created (Unix time) and owned_by';",
		"if ($parameter.operation === 'get') return 'Gets the model ' + (model || 'with the given ID') + ' from ' + api + '. Returns its ' + fields + '.';",
		"if ($parameter.operation === 'delete') return 'Deletes the fine-tuned model ' + (model || 'with the given ID') + ' (IDs start with ft:) from ' + api + '. Returns its id and whether it was deleted.';",
		"return 'Lists the models ' + api + ' offers. Returns one result per model with its ' + fields + '.';",
		'})()',
	].join(' '),
);

export const properties: INodeProperties[] = [
	toolDescription,
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [{ name: 'Model', value: 'model' }],
		default: 'model',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['model'] } },
		options: [
			{ name: 'Delete', value: 'delete', action: 'Delete a model', description: 'Delete a fine-tuned model of your organization' },
			{ name: 'Get', value: 'get', action: 'Get a model', description: 'Get one model by its ID' },
			{ name: 'List', value: 'list', action: 'List models', description: 'List the models the API key can use' },
		],
		default: 'list',
	},
	{
		displayName: 'Model',
		name: 'modelId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: forOperations('get', 'delete'),
		description: 'The model. Only fine-tuned models (IDs starting with "ft:") can be deleted.',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a model...',
				typeOptions: { searchListMethod: 'searchModels', searchable: true },
			},
			{
				displayName: 'ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. gpt-4o-mini or ft:gpt-4o-mini-2024-07-18:my-org::abc123',
			},
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		displayOptions: forOperations('list'),
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { resource: ['model'], operation: ['list'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: forOperations('list'),
		options: [
			{
				displayName: 'ID Starts With',
				name: 'idPrefix',
				type: 'string',
				default: '',
				placeholder: 'ft:',
				description: 'Only models whose ID starts with this text, for example "ft:" or "gpt-4o"',
			},
			{
				displayName: 'Owned By',
				name: 'ownedBy',
				type: 'string',
				default: '',
				placeholder: 'org-...',
				description: 'Only models whose owned_by is exactly this, for example your organization ID',
			},
			{
				displayName: 'Owner',
				name: 'owner',
				type: 'options',
				options: [
					{ name: 'Any', value: 'any' },
					{
						name: 'Fine-Tuned Only',
						value: 'fineTuned',
						description: 'Models not owned by OpenAI (owned_by is not system, openai or openai-internal)',
					},
					{ name: 'OpenAI Only', value: 'openai', description: 'Models owned by system, openai or openai-internal' },
				],
				default: 'any',
			},
		],
	},
	{
		displayName: 'Sort',
		name: 'sort',
		type: 'options',
		options: [
			{ name: 'As the API Lists Them', value: 'none' },
			{ name: 'Newest First', value: 'newest', description: 'By creation time, newest first' },
			{ name: 'Oldest First', value: 'oldest', description: 'By creation time, oldest first' },
		],
		default: 'none',
		displayOptions: forOperations('list'),
		description: 'The order of the models, before the limit applies',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['model'] } },
		options: [
			{
				displayName: 'Include Response Metadata',
				name: 'includeMetadata',
				type: 'boolean',
				default: false,
				description: "Whether to add a responseMetadata field with OpenAI's request ID and rate-limit headers to every item",
			},
			{
				displayName: 'Rate Limit Retries',
				name: 'retries',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 3,
				description:
					'How often a call is sent again after HTTP 429 or a server error, waiting as long as Retry-After says (60 s at most in all)',
			},
		],
	},
];
