import {
	UserError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IHttpRequestOptions,
	type INodeProperties,
	type Icon,
} from 'n8n-workflow';

import { guardedAuthenticate } from './common/boundary';
import { baseUrlField, testUrlField, tlsFields, userPasswordFields } from './common/fields';
import { withTls } from './common/tls';

const encoded = new WeakMap<object, string>();

/** RFC 7617 with UTF-8: the password may hold ":" and any character; the username no ":". */
function basicHeader(credentials: ICredentialDataDecryptedObject): string {
	let value = encoded.get(credentials);
	if (value === undefined) {
		const username = (credentials.username as string) ?? '';
		if (username.includes(':')) {
			throw new UserError('HTTP Basic: the username cannot contain ":" (the protocol splits on the first one). The password can.');
		}
		value = `Basic ${Buffer.from(`${username}:${(credentials.password as string) ?? ''}`, 'utf8').toString('base64')}`;
		encoded.set(credentials, value);
	}
	return value;
}

export class ApiConnectorBasicAuthApi implements ICredentialType {
	name = 'apiConnectorBasicAuthApi';

	displayName = 'API Connector: HTTP Basic Auth API';

	icon: Icon = { light: 'file:icons/basicAuth.svg', dark: 'file:icons/basicAuth.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#http-basic';

	properties: INodeProperties[] = [...userPasswordFields, baseUrlField, testUrlField, ...tlsFields(true)];

	authenticate = guardedAuthenticate(async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) =>
		withTls(credentials, { ...requestOptions, headers: { ...requestOptions.headers, Authorization: basicHeader(credentials) } }),
	);
}
