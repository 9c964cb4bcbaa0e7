import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, IHttpRequestHelper, INodeProperties, Icon } from 'n8n-workflow';

import { guardedAuthenticate } from './common/boundary';
import { applyOpenAiAuth, checkOpenAiKey, KEYS_PAGE, OPENAI_BASE_URL } from './common/openAi';

// OpenAI's API, or any server that speaks it (n8n's own openAiApi cannot be used by a community
// node). What the credential sends and what OpenAI's refusals mean is in common/openAi.ts;
// Configured API Call and OpenAI Models test it (their testedBy).
//
// n8n's HTTP Request node gets only "Unauthorized" from a refused key. It runs a credential's
// preAuthentication after a 401, so this one checks the key (GET {Base URL}/models, through the
// boundary) and throws what OpenAI's answer says: the key, organization, project or permission.
export class ApiConnectorOpenAiApi implements ICredentialType {
	name = 'apiConnectorOpenAiApi';

	displayName = 'API Connector: OpenAI API';

	icon: Icon = { light: 'file:icons/openAi.svg', dark: 'file:icons/openAi.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#openai';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: `A secret key from ${KEYS_PAGE}. Restricted and read-only keys work for the calls their permissions allow.`,
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			placeholder: 'org-...',
			description: 'Optional. Sent as OpenAI-Organization, for keys that can act for several organizations.',
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			placeholder: 'proj_...',
			description: 'Optional. Sent as OpenAI-Project, for keys that can act for several projects.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: OPENAI_BASE_URL,
			description: 'Change it for a proxy or an OpenAI-compatible server. It must serve GET /models: the Test button calls it.',
		},
		{
			displayName: 'Extra Headers',
			name: 'extraHeaders',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Header',
			default: {},
			description: 'Optional. Sent with every call, for example to a proxy in front of the API.',
			options: [
				{
					displayName: 'Header',
					name: 'values',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', typeOptions: { password: true }, default: '' },
					],
				},
			],
		},
		{
			// n8n runs preAuthentication after a 401, and when this hidden field is empty (never).
			displayName: 'Key Check',
			name: 'keyCheck',
			type: 'hidden',
			typeOptions: { expirable: true },
			default: 'after a 401',
		},
	];

	authenticate = guardedAuthenticate(applyOpenAiAuth);

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		await checkOpenAiKey(this, credentials);
		return {};
	}
}
