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
import { baseUrlField, prefixFields, prefixOf, testUrlField, tlsFields } from './common/fields';
import { assertHeader } from './common/headers';
import { withTls } from './common/tls';

async function applyHeaderKey(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const signal = checkSignal(requestOptions);
	if (signal) throw signal;
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
		testUrlField,
		...tlsFields(true),
	];

	authenticate = applyHeaderKey;

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		return await checkEveryKey.call(this, credentials, applyHeaderKey);
	}

	test: ICredentialTestRequest = keyTestRequest;
}
