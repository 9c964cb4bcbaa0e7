import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject, IHttpRequestHelper, INodeProperties, Icon } from 'n8n-workflow';

import { addClientAuth, clientFields, extraParameters } from './common/clientAuth';
import { tokenUrlField, userPasswordFields } from './common/fields';
import { GrantRefusedError, requestToken } from './common/tokenEndpoint';
import {
	authenticateWithToken,
	preAuthenticateWith,
	tokenInputs,
	tokenState,
	tokenTypeFields,
	tokenStoredElsewhere,
} from './common/tokens';

async function fetchToken(helper: IHttpRequestHelper, c: ICredentialDataDecryptedObject, tokenFor: string) {
	const send = async (grant: Record<string, string>, grantHint: string) => {
		const form: Record<string, string> = { ...extraParameters(c), ...grant };
		if (c.scope) form.scope = c.scope as string;
		const headers: IDataObject = {};
		addClientAuth(c, form, headers, c.tokenUrl as string);
		return await requestToken(helper, c, { url: c.tokenUrl as string, form, headers, grantHint });
	};
	// A refresh token saves sending the password again; when the server refuses it (expired,
	// revoked, rotated elsewhere) the password grant starts over.
	if (c.refreshToken && c.tokenFor === tokenFor) {
		let refreshed;
		try {
			refreshed = await send({ grant_type: 'refresh_token', refresh_token: c.refreshToken as string }, 'The refresh token was refused.');
		} catch (error) {
			if (!(error instanceof GrantRefusedError)) throw error;
			// Another worker may have used it a moment ago (rotation): take what it stores.
			const elsewhere = await tokenStoredElsewhere(c, tokenFor, c.refreshToken as string);
			if (elsewhere) return elsewhere;
		}
		if (refreshed) {
			return tokenState(refreshed.accessToken, refreshed.lifetimeSeconds, tokenFor, refreshed.refreshToken ?? (c.refreshToken as string));
		}
	}
	const answer = await send(
		{ grant_type: 'password', username: c.username as string, password: c.password as string },
		'Check the username and password (and the scope, if the server names it).',
	);
	return tokenState(answer.accessToken, answer.lifetimeSeconds, tokenFor, answer.refreshToken);
}

export class ApiConnectorPasswordGrantOAuth2Api implements ICredentialType {
	name = 'apiConnectorPasswordGrantOAuth2Api';

	displayName = 'API Connector: Password Grant OAuth2 API';

	icon: Icon = { light: 'file:icons/passwordGrant.svg', dark: 'file:icons/passwordGrant.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#oauth2-password-grant';

	properties: INodeProperties[] = [
		tokenUrlField('https://auth.example.com/oauth/token'),
		...userPasswordFields,
		...clientFields(false),
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '', description: 'Space-separated scopes, if the server wants them' },
		{
			displayName: 'Extra Body Parameters',
			name: 'extraBodyParameters',
			type: 'string',
			default: '',
			placeholder: 'audience=https://api.example.com&resource=orders',
			description: 'Optional. More fields for the token request, written like a query string.',
		},
		...tokenTypeFields(),
	];

	authenticate = authenticateWithToken(tokenInputs(this.properties));

	preAuthentication = preAuthenticateWith(tokenInputs(this.properties), fetchToken);
}
