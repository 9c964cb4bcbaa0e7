import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestOptions, INodeProperties, Icon } from 'n8n-workflow';

import { developmentBaseUrlField, keyFields, selectedKey } from './common/apiKeys';
import { guardedAuthenticate } from './common/boundary';
import { baseUrlField, prefixFields, prefixOf, testUrlField, tlsFields } from './common/fields';
import { assertHeader } from './common/headers';
import { withTls } from './common/tls';

async function applyHeaderKey(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const name = (credentials.headerName as string).trim();
	const value = `${prefixOf(credentials)}${selectedKey(credentials)}`;
	assertHeader(name, value, 'Private Key in Header');
	return withTls(credentials, { ...requestOptions, headers: { ...requestOptions.headers, [name]: value } });
}

export class ApiConnectorHeaderKeyApi implements ICredentialType {
	name = 'apiConnectorHeaderKeyApi';

	displayName = 'API Connector: Private Key in Header API';

	icon: Icon = { light: 'file:icons/headerKey.svg', dark: 'file:icons/headerKey.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#private-key-in-header';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'Authorization',
			required: true,
			description: 'The header that carries the key, for example Authorization or X-API-Key',
		},
		...prefixFields(),
		...keyFields('Key'),
		baseUrlField,
		developmentBaseUrlField,
		testUrlField,
		...tlsFields(true),
	];

	authenticate = guardedAuthenticate(applyHeaderKey);
}
