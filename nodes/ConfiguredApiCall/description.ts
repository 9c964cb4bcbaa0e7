import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { CREDENTIAL_CATALOG } from '../../credentials/common/catalog';
import { shownText, toolDescriptionField } from '../shared/toolDescription';

// What the user sets on a Configured API Call node. The execute code reads these by name.

const callable = CREDENTIAL_CATALOG;

const pairs = (displayName: string, name: string, show: IDisplayOptions['show'], description: string): INodeProperties => ({
	displayName,
	name,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: `Add ${displayName.replace(/s$/, '')}`,
	default: { parameters: [{ name: '', value: '' }] },
	displayOptions: { show },
	description,
	options: [
		{
			displayName: 'Parameter',
			name: 'parameters',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
});

const keyTypes = callable.filter((entry) => entry.kind === 'key').map((entry) => entry.type);

// The tool description a model reads by default: method, URL or path, the credential's kind and
// what comes back, from this node's own parameters (see shared/toolDescription.ts).
const toolDescription = toolDescriptionField(
	[
		'(() => {',
		`const labels = ${JSON.stringify(Object.fromEntries(callable.map((entry) => [entry.type, entry.label])))};`,
		`const target = ${shownText('$rawParameter.url')};`,
		"const where = /^https?:/i.test(target) ? target : (target || '/') + ' (a path on the credential\\'s Base URL)';",
		'const label = labels[$parameter.authentication];',
		"const auth = label ? ' with its ' + label + ' credential' : ' with no credential';",
		'const response = $parameter.response || {};',
		"const formats = { json: 'the JSON response body', text: 'the response body as text', file: 'the response as a file' };",
		"const body = formats[response.format] || 'the response body (JSON, or text)';",
		"const full = response.fullResponse ? ' with its status code and headers' : '';",
		"const items = response.itemsPath ? ', one result per element of ' + response.itemsPath : '';",
		"const errors = response.neverError ? ' An error status comes back as data too.' : ' A refused call fails with the HTTP status and the API\\'s message.';",
		"return 'Calls ' + $parameter.method + ' ' + where + auth + '. Returns ' + body + full + items + '.' + errors;",
		'})()',
	].join(' '),
);

export const properties: INodeProperties[] = [
	toolDescription,
	{
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'None', value: 'none', description: 'No credential' },
			...callable.map((entry) => ({ name: entry.label, value: entry.type, description: entry.description })),
		],
		default: 'none',
		description: 'How calls authenticate. Every credential type can also carry a client certificate (mTLS).',
	},
	{
		displayName: 'Environment',
		name: 'environment',
		type: 'options',
		options: [
			{
				name: 'Automatic',
				value: 'automatic',
				description: 'The development key in manual runs from the editor; the live key in production runs',
			},
			{ name: 'Live', value: 'live', description: 'Always the live key' },
			{ name: 'Development', value: 'development', description: 'Always the development key' },
		],
		default: 'automatic',
		description: 'Which key of the credential calls use',
		displayOptions: { show: { authentication: keyTypes } },
	},
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'].map((method) => ({ name: method, value: method })),
		default: 'GET',
		description: 'The HTTP method of the call',
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: '/orders or https://api.example.com/v1/orders',
		description: 'An absolute URL, or a path relative to the Base URL stored in the credential',
	},
	{
		displayName: 'Send Query Parameters',
		name: 'sendQuery',
		type: 'boolean',
		default: false,
		description: 'Whether the call has query parameters',
	},
	pairs('Query Parameters', 'queryParameters', { sendQuery: [true] }, 'Added to the URL'),
	{
		displayName: 'Send Headers',
		name: 'sendHeaders',
		type: 'boolean',
		default: false,
		description: 'Whether the call has headers',
	},
	pairs(
		'Headers',
		'headerParameters',
		{ sendHeaders: [true] },
		'Sent with the call. Put secrets in a credential, not here: every viewer of the workflow sees these.',
	),
	{
		displayName: 'Send Body',
		name: 'sendBody',
		type: 'boolean',
		default: false,
		description: 'Whether the call has a body',
	},
	{
		displayName: 'Body Content Type',
		name: 'contentType',
		type: 'options',
		displayOptions: { show: { sendBody: [true] } },
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A file from a binary property of the input item' },
			{ name: 'Form URL-Encoded', value: 'form' },
			{ name: 'JSON', value: 'json' },
			{ name: 'Multipart Form-Data', value: 'multipart', description: 'Fields and files' },
			{ name: 'Raw', value: 'raw', description: 'Any text with a content type you set' },
		],
		default: 'json',
	},
	{
		displayName: 'Specify JSON Body',
		name: 'jsonInput',
		type: 'options',
		displayOptions: { show: { sendBody: [true], contentType: ['json'] } },
		options: [
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json' },
		],
		default: 'fields',
	},
	pairs(
		'Body Parameters',
		'bodyParameters',
		{ sendBody: [true], contentType: ['json', 'form'], jsonInput: ['fields'] },
		'Fields of the body',
	),
	{
		displayName: 'JSON',
		name: 'jsonBody',
		type: 'json',
		displayOptions: { show: { sendBody: [true], contentType: ['json'], jsonInput: ['json'] } },
		default: '{}',
		description: 'The body as JSON',
	},
	{
		displayName: 'Multipart Fields',
		name: 'multipartParameters',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Field',
		default: { parameters: [{ type: 'text', name: '', value: '' }] },
		displayOptions: { show: { sendBody: [true], contentType: ['multipart'] } },
		options: [
			{
				displayName: 'Field',
				name: 'parameters',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Text', value: 'text' },
							{ name: 'File From Binary Property', value: 'binary' },
						],
						default: 'text',
					},
					{ displayName: 'Name', name: 'name', type: 'string', default: '' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '', displayOptions: { show: { type: ['text'] } } },
					{
						displayName: 'Input Binary Field',
						name: 'binaryProperty',
						type: 'string',
						default: 'data',
						displayOptions: { show: { type: ['binary'] } },
						description: 'The binary property of the input item that holds the file',
					},
				],
			},
		],
	},
	{
		displayName: 'Content Type',
		name: 'rawContentType',
		type: 'string',
		default: 'text/plain',
		displayOptions: { show: { sendBody: [true], contentType: ['raw'] } },
	},
	{
		displayName: 'Body',
		name: 'rawBody',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		displayOptions: { show: { sendBody: [true], contentType: ['raw'] } },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryProperty',
		type: 'string',
		default: 'data',
		displayOptions: { show: { sendBody: [true], contentType: ['binary'] } },
		description: 'The binary property of the input item whose file is the body',
	},
	{
		displayName: 'Response',
		name: 'response',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Binary Property',
				name: 'binaryProperty',
				type: 'string',
				default: 'data',
				description: 'The binary property that receives a file response',
			},
			{
				displayName: 'Format',
				name: 'format',
				type: 'options',
				options: [
					{ name: 'Autodetect', value: 'autodetect', description: 'JSON, text or file, by the Content-Type the server sends' },
					{ name: 'JSON', value: 'json' },
					{ name: 'Text', value: 'text' },
					{ name: 'File', value: 'file', description: 'Into a binary property' },
				],
				default: 'autodetect',
			},
			{
				displayName: 'Full Response',
				name: 'fullResponse',
				type: 'boolean',
				default: false,
				description: 'Whether to return the status code and response headers with the body',
			},
			{
				displayName: 'Items Path',
				name: 'itemsPath',
				type: 'string',
				default: '',
				placeholder: 'data.items',
				description: 'Optional. Where the array sits in the answer, as a dot path.',
			},
			{
				displayName: 'Never Error',
				name: 'neverError',
				type: 'boolean',
				default: false,
				description: 'Whether to return an error response (4xx, 5xx) as data instead of failing',
			},
			{
				displayName: 'Put Output in Field',
				name: 'outputField',
				type: 'string',
				default: '',
				placeholder: 'data',
				description: 'Optional. The field of the output item that receives the response; by default the response is the item.',
			},
			{
				displayName: 'Split Into Items',
				name: 'split',
				type: 'boolean',
				default: true,
				description: 'Whether a JSON array answer (or the array at Items Path) becomes one item per element',
			},
		],
	},
	{
		displayName: 'Pagination',
		name: 'pagination',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Cursor Path',
				name: 'cursorPath',
				type: 'string',
				default: 'next_cursor',
				description: 'Where the next cursor sits in the answer (dot path); empty or missing ends',
			},
			{ displayName: 'First Value', name: 'start', type: 'number', default: 1, description: 'The first page number or offset' },
			{ displayName: 'Max Pages', name: 'maxPages', type: 'number', typeOptions: { minValue: 1 }, default: 100 },
			{
				displayName: 'Mode',
				name: 'mode',
				type: 'options',
				options: [
					{ name: 'Cursor From Response', value: 'cursor' },
					{ name: 'Increment a Page Parameter', value: 'page' },
					{ name: 'Increment an Offset Parameter', value: 'offset' },
					{ name: 'Next URL From Response', value: 'nextUrl' },
					{ name: 'Off', value: 'off' },
				],
				default: 'off',
			},
			{
				displayName: 'Next URL Path',
				name: 'nextUrlPath',
				type: 'string',
				default: 'next',
				description: 'Where the next URL sits in the answer (dot path); empty or missing ends',
			},
			{
				displayName: 'Parameter Name',
				name: 'parameter',
				type: 'string',
				default: 'page',
				description: 'The query parameter that carries the page number, offset or cursor',
			},
			{
				displayName: 'Step',
				name: 'step',
				type: 'number',
				default: 1,
				description: 'How much the page number or offset grows per page (the page size, for offsets)',
			},
			{
				displayName: 'Stop Field Path',
				name: 'stopPath',
				type: 'string',
				default: 'has_more',
				description: 'Dot path of a field in each answer',
			},
			{
				displayName: 'Stop Field Value',
				name: 'stopValue',
				type: 'string',
				default: 'false',
				description: 'Pagination ends when that field equals this (compared as text)',
			},
			{ displayName: 'Stop Status Codes', name: 'stopStatus', type: 'string', default: '404', description: 'Comma-separated' },
			{
				displayName: 'Stop When',
				name: 'stopWhen',
				type: 'options',
				options: [
					{ name: 'A Page Has No Items', value: 'empty' },
					{ name: 'The Status Code Is', value: 'status' },
					{ name: 'A Field Has a Value', value: 'field' },
				],
				default: 'empty',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Calls in Flight',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 64 },
				default: 1,
				description: 'How many items are called at once. Output keeps the input order.',
			},
			{
				displayName: 'Follow Redirects',
				name: 'followRedirects',
				type: 'boolean',
				default: true,
				description: 'Whether to follow 3xx redirects. The credential goes only to its own origin (see Other Origins).',
			},
			{
				displayName: 'Ignore SSL Issues (Unsafe)',
				name: 'ignoreSslIssues',
				type: 'boolean',
				default: false,
				description:
					'Whether to accept any server certificate. Unsafe: anyone on the path can read and change the calls, credentials included.',
			},
			{
				displayName: 'Max Response Size (MB)',
				name: 'maxResponseMb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 100,
				description:
					"The largest answer accepted, counted after decompression. A bigger one ends the call with an error. Files are streamed to n8n's binary data store, so they take no memory, but count too.",
			},
			{
				displayName: 'Max Total Wait (Seconds)',
				name: 'maxWait',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				displayOptions: { show: { retry: [true] } },
			},
			{
				displayName: 'Max Tries',
				name: 'maxTries',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 3,
				displayOptions: { show: { retry: [true] } },
			},
			{
				displayName: 'Other Origins',
				name: 'crossOrigin',
				type: 'options',
				options: [
					{
						name: 'Go On Without the Credential',
						value: 'strip',
						description:
							'A redirect or next page to another origin is followed, with no credential, client certificate or Authorization and Cookie headers',
					},
					{
						name: 'Stop With an Error',
						value: 'error',
						description: 'A redirect or next page to another origin ends the call with an error',
					},
				],
				default: 'strip',
				description:
					"What happens when a redirect or a next-page link leads away from the credential's origin (its Base URL's, or the first URL's). The credential itself never goes there.",
			},
			{
				displayName: 'Retry',
				name: 'retry',
				type: 'boolean',
				default: false,
				description: 'Whether to retry on 429, 5xx and dropped connections, with exponential backoff and Retry-After',
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 300,
				description:
					'The most one call may take, from sending to the last byte of the answer, redirects included. Each retry gets its own.',
			},
		],
	},
];
