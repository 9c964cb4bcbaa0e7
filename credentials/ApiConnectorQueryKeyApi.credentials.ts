import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { checkEveryKey, keyFields, keyTestRequest, selectedKey } from './common/apiKeys';
import { checkSignal } from './common/checkOnTest';
import { baseUrlField, testUrlField, tlsFields } from './common/fields';
import { withTls } from './common/tls';

async function applyQueryKey(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const signal = checkSignal(requestOptions);
	if (signal) throw signal;
	const name = ((credentials.parameterName as string) ?? '').trim() || 'api_key';
	return withTls(credentials, { ...requestOptions, qs: { ...requestOptions.qs, [name]: selectedKey(credentials) } });
}

export class ApiConnectorQueryKeyApi implements ICredentialType {
	name = 'apiConnectorQueryKeyApi';

	displayName = 'API Connector: Private Key in URL API';

	icon: Icon = { light: 'file:icons/queryKey.svg', dark: 'file:icons/queryKey.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#private-key-in-url';

	properties: INodeProperties[] = [
		{
			displayName: 'Query Parameter Name',
			name: 'parameterName',
			type: 'string',
			default: 'api_key',
			required: true,
			description: 'The query parameter that carries the key, for example api_key, key or token',
		},
		...keyFields('Key'),
		baseUrlField,
		testUrlField,
		...tlsFields(true),
	];

	authenticate = applyQueryKey;

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await checkEveryKey.call(this, credentials, applyQueryKey);
	}

	test: ICredentialTestRequest = keyTestRequest;
}
