import {
	UserError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestMethods,
	type INodeProperties,
	type Icon,
} from 'n8n-workflow';

import { prefixFields, tokenUrlField } from './common/fields';
import { assertHeader } from './common/headers';
import { pairsOf } from './common/pairs';
import { fillPlaceholders, jsonEscape, privateValues } from './common/placeholders';
import { requestToken } from './common/tokenEndpoint';
import { authenticateWithToken, preAuthenticateWith, tokenInputs, tokenState, tokenTypeFields } from './common/tokens';
import { resolveUrl } from './common/urls';

function tokenRequestBody(c: ICredentialDataDecryptedObject, values: Map<string, string>) {
	const template = ((c.body as string) ?? '').trim();
	if (c.bodyType === 'none' || !template) return {};
	if (c.bodyType === 'form') {
		const filled = fillPlaceholders(template, values, 'Token request body', encodeURIComponent);
		return { form: Object.fromEntries(new URLSearchParams(filled)) };
	}
	const filled = fillPlaceholders(template, values, 'Token request body', jsonEscape);
	let json: unknown;
	try {
		json = JSON.parse(filled);
	} catch {
		json = undefined;
	}
	if (json === undefined) {
		// The filled text holds secrets: describe the problem, never quote it.
		throw new UserError('Token request body is not valid JSON. Check quotes, commas and braces (placeholders are filled inside strings).');
	}
	return { json };
}

async function fetchToken(helper: IHttpRequestHelper, c: ICredentialDataDecryptedObject, tokenFor: string) {
	const values = privateValues(c.privateValues);
	const headers: IDataObject = {};
	for (const { name, value } of pairsOf(c.requestHeaders)) {
		const filled = fillPlaceholders(value, values, `Token request header "${name}"`);
		assertHeader(name, filled, 'Token request headers');
		headers[name] = filled;
	}
	const answer = await requestToken(helper, c, {
		url: resolveUrl(undefined, c.tokenUrl as string, 'Token URL'),
		method: (c.requestMethod as IHttpRequestMethods) ?? 'POST',
		headers,
		...tokenRequestBody(c, values),
		tokenPath: (c.answerPath as string) || 'access_token',
		lifetimePath: (c.lifetimePath as string) || 'expires_in',
		lifetimeKind: c.lifetimeKind === 'absolute' ? 'absolute' : 'seconds',
		grantHint: 'Check the private values and the body template.',
	});
	return tokenState(answer.accessToken, answer.lifetimeSeconds, tokenFor);
}

const inHeader = { show: { placement: ['header'] } };

export class ApiConnectorCustomTokenOAuth2Api implements ICredentialType {
	name = 'apiConnectorCustomTokenOAuth2Api';

	displayName = 'API Connector: Custom Token Request OAuth2 API';

	icon: Icon = { light: 'file:icons/customToken.svg', dark: 'file:icons/customToken.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#oauth2-custom-token-request';

	properties: INodeProperties[] = [
		tokenUrlField('https://api.example.com/auth/login'),
		{
			displayName: 'Token Request Method',
			name: 'requestMethod',
			type: 'options',
			options: [
				{ name: 'POST', value: 'POST' },
				{ name: 'GET', value: 'GET' },
				{ name: 'PUT', value: 'PUT' },
			],
			default: 'POST',
		},
		{
			displayName: 'Private Values',
			name: 'privateValues',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Private Value',
			default: {},
			description: 'Secrets that fill <name> placeholders in the body and headers of the token request',
			options: [
				{
					displayName: 'Value',
					name: 'values',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'password' },
						{ displayName: 'Value', name: 'value', type: 'string', typeOptions: { password: true }, default: '' },
					],
				},
			],
		},
		{
			displayName: 'Token Request Body Type',
			name: 'bodyType',
			type: 'options',
			options: [
				{ name: 'JSON', value: 'json' },
				{ name: 'Form (URL-Encoded)', value: 'form' },
				{ name: 'None', value: 'none' },
			],
			default: 'json',
		},
		{
			displayName: 'Token Request Body',
			name: 'body',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '{"user": "<username>", "pass": "<password>"}',
			description: 'The token request body. <name> is replaced by the private value of that name. For a form body write a=1&b=<name>.',
			displayOptions: { hide: { bodyType: ['none'] } },
		},
		{
			displayName: 'Token Request Headers',
			name: 'requestHeaders',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Header',
			default: {},
			description: 'Headers of the token request; values may use <name> placeholders',
			options: [
				{
					displayName: 'Header',
					name: 'values',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', default: '' },
					],
				},
			],
		},
		{
			displayName: 'Token Path',
			name: 'answerPath',
			type: 'string',
			default: 'access_token',
			placeholder: 'data.session.key',
			description: 'Where the token sits in the JSON answer, as a dot path',
		},
		{
			displayName: 'Lifetime Path',
			name: 'lifetimePath',
			type: 'string',
			default: '',
			placeholder: 'data.session.ttl',
			description:
				'Optional. Where the token lifetime sits in the answer; expires_in when empty. Without a lifetime the token is used until a call is refused.',
		},
		{
			displayName: 'Lifetime Is',
			name: 'lifetimeKind',
			type: 'options',
			options: [
				{ name: 'Seconds From Now', value: 'seconds' },
				{ name: 'An Absolute Time (ISO or Epoch)', value: 'absolute' },
			],
			default: 'seconds',
		},
		{
			displayName: 'Send Token In',
			name: 'placement',
			type: 'options',
			options: [
				{ name: 'Header', value: 'header' },
				{ name: 'Query Parameter', value: 'query' },
			],
			default: 'header',
		},
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'Authorization',
			displayOptions: inHeader,
		},
		...prefixFields({ placement: ['header'] }),
		{
			displayName: 'Query Parameter',
			name: 'queryParameter',
			type: 'string',
			default: 'access_token',
			displayOptions: { show: { placement: ['query'] } },
		},
		...tokenTypeFields(),
	];

	authenticate = authenticateWithToken(tokenInputs(this.properties));

	preAuthentication = preAuthenticateWith(tokenInputs(this.properties), fetchToken);
}
