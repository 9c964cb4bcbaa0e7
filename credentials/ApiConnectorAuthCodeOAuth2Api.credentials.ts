import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

import { baseUrlField, refreshOnStatusField } from './common/fields';

// The authorization-code ("user-agent") flow. It extends n8n's own oAuth2Api, so the editor's
// Connect button, the consent redirect, token storage and refresh are n8n's, and n8n's HTTP
// Request node can use it as is. Its check is n8n's own: the editor shows "Account connected"
// instead of a Test button for OAuth2 credentials.
export class ApiConnectorAuthCodeOAuth2Api implements ICredentialType {
	name = 'apiConnectorAuthCodeOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'API Connector: Authorization Code OAuth2 API';

	icon: Icon = { light: 'file:icons/authCode.svg', dark: 'file:icons/authCode.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#oauth2-authorization-code';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'options',
			options: [
				{ name: 'Authorization Code', value: 'authorizationCode' },
				{
					name: 'Authorization Code With PKCE',
					value: 'pkce',
					description: 'For public clients and servers that require PKCE (RFC 7636)',
				},
			],
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://auth.example.com/oauth/authorize',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://auth.example.com/oauth/token',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'string',
			default: '',
			description: 'Space-separated scopes to ask the user to grant',
		},
		{
			displayName: 'Request Offline Access (Google)',
			name: 'offlineAccess',
			type: 'boolean',
			default: false,
			description: 'Whether to add access_type=offline&prompt=consent to the authorization URL, so Google issues a refresh token',
		},
		{
			displayName: 'Extra Authorization Query Parameters',
			name: 'extraAuthQueryParameters',
			type: 'string',
			default: '',
			placeholder: 'audience=https://api.example.com&login_hint=me@example.com',
			description: 'Optional. Added to the authorization URL, written like a query string.',
		},
		{
			// What n8n actually reads when it builds the authorization URL.
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default:
				"={{ [$self.offlineAccess ? 'access_type=offline&prompt=consent' : '', $self.extraAuthQueryParameters].filter(Boolean).join('&') }}",
		},
		{
			displayName: 'Client Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Send as Basic Auth Header', value: 'header' },
				{ name: 'Send in Body', value: 'body' },
			],
			default: 'header',
			description: 'How the client ID and secret reach the token endpoint',
		},
		{
			...refreshOnStatusField,
			description:
				"When an API call answers one of these codes, n8n refreshes the token and sends the call once more, in this package's nodes and in n8n's HTTP Request node. Comma-separated.",
		},
		{
			// What n8n's OAuth2 code reads: the status codes above as numbers.
			displayName: 'Token Expired Status Code',
			name: 'tokenExpiredStatusCode',
			type: 'hidden',
			typeOptions: { password: true },
			default: "={{ String($self.refreshOnStatus || '401').split(',').map((code) => Number(code.trim())).filter((code) => code > 0) }}",
		},
		baseUrlField,
	];
}
