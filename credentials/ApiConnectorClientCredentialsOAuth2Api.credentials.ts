import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, IHttpRequestHelper, INodeProperties, Icon } from 'n8n-workflow';

import { addClientAuth, clientFields, extraParameters, extraTokenParametersField } from './common/clientAuth';
import { tokenUrlField } from './common/fields';
import { requestToken } from './common/tokenEndpoint';
import { authenticateWithToken, preAuthenticateWith, tokenInputs, tokenState, tokenTypeFields } from './common/tokens';

// The client-credentials grant (RFC 6749 4.4): a machine authenticates as itself. No refresh
// token (4.4.3): a new token is asked for when the old one is due.
async function fetchToken(helper: IHttpRequestHelper, c: ICredentialDataDecryptedObject, tokenFor: string) {
	const form: Record<string, string> = { ...extraParameters(c), grant_type: 'client_credentials' };
	if (c.scope) form.scope = c.scope as string;
	const headers: IDataObject = {};
	addClientAuth(c, form, headers, c.tokenUrl as string);
	const answer = await requestToken(helper, c, {
		url: c.tokenUrl as string,
		form,
		headers,
		grantHint:
			'Check the scope and the extra token parameters (audience, resource), and that the client may use the client-credentials grant.',
	});
	return tokenState(answer.accessToken, answer.lifetimeSeconds, tokenFor);
}

export class ApiConnectorClientCredentialsOAuth2Api implements ICredentialType {
	name = 'apiConnectorClientCredentialsOAuth2Api';

	displayName = 'API Connector: Client Credentials OAuth2 API';

	icon: Icon = { light: 'file:icons/clientCredentials.svg', dark: 'file:icons/clientCredentials.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#oauth2-client-credentials';

	properties: INodeProperties[] = [
		tokenUrlField('https://login.example.com/oauth2/token'),
		...clientFields(true),
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '', description: 'Space-separated scopes, if the server wants them' },
		extraTokenParametersField(),
		...tokenTypeFields(),
	];

	authenticate = authenticateWithToken(tokenInputs(this.properties));

	preAuthentication = preAuthenticateWith(tokenInputs(this.properties), fetchToken);
}
