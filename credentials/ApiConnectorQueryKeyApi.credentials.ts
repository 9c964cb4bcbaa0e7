import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestOptions, INodeProperties, Icon } from 'n8n-workflow';

import { developmentBaseUrlField, keyFields, selectedKey } from './common/apiKeys';
import { guardedAuthenticate } from './common/boundary';
import { baseUrlField, testUrlField, tlsFields } from './common/fields';
import { withTls } from './common/tls';

async function applyQueryKey(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
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
		developmentBaseUrlField,
		testUrlField,
		...tlsFields(true),
	];

	authenticate = guardedAuthenticate(applyQueryKey);
}
