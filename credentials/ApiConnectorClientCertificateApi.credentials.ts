import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestOptions, INodeProperties, Icon } from 'n8n-workflow';

import { guardedAuthenticate } from './common/boundary';
import { baseUrlField, testUrlField, tlsFields } from './common/fields';
import { withTls } from './common/tls';

// A client certificate alone. Every other credential type of the package can carry one too
// (its "Client Certificate or Private CA" switch), so mTLS combines with any method.
export class ApiConnectorClientCertificateApi implements ICredentialType {
	name = 'apiConnectorClientCertificateApi';

	displayName = 'API Connector: Client Certificate (mTLS) API';

	icon: Icon = { light: 'file:icons/clientCertificate.svg', dark: 'file:icons/clientCertificate.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#client-certificate-mtls';

	properties: INodeProperties[] = [
		// The shared TLS code reads this switch; here it is always on.
		{ displayName: 'Use TLS', name: 'useTls', type: 'hidden', default: true },
		...tlsFields(false),
		baseUrlField,
		testUrlField,
	];

	authenticate = guardedAuthenticate(async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) =>
		withTls(credentials, requestOptions),
	);
}
