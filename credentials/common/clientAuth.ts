import type { IDataObject, INodeProperties } from 'n8n-workflow';

// OAuth2 client authentication (RFC 6749 section 2.3.1), shared by the grants that POST to a
// token endpoint themselves.

export const clientFields = (required: boolean): INodeProperties[] => [
	{
		displayName: 'Client ID',
		name: 'clientId',
		type: 'string',
		default: '',
		required,
		description: required ? undefined : 'Optional. Leave empty when the server needs no client.',
	},
	{
		displayName: 'Client Secret',
		name: 'clientSecret',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description: 'Optional for public clients',
	},
	{
		displayName: 'Client Authentication',
		name: 'clientAuthentication',
		type: 'options',
		options: [
			{ name: 'Send as Basic Auth Header', value: 'header' },
			{ name: 'Send in Body', value: 'body' },
		],
		default: 'header',
		description: 'How the client ID and secret reach the token endpoint',
	},
];

/** Adds the client's credentials to a token request, the way the credential says. */
export function addClientAuth(credentials: IDataObject, form: Record<string, string>, headers: IDataObject): void {
	const id = (credentials.clientId as string) ?? '';
	const secret = (credentials.clientSecret as string) ?? '';
	if (!id) return;
	if (credentials.clientAuthentication === 'body' || !secret) {
		form.client_id = id;
		if (secret) form.client_secret = secret;
		return;
	}
	// RFC 6749 2.3.1: both parts are form-urlencoded before base64.
	const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
	headers.Authorization = `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** "a=1&b=2" from the credential's extra-parameters field, as form fields. */
export function extraParameters(text: unknown): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [name, value] of new URLSearchParams(((text as string) ?? '').trim())) {
		if (name) result[name] = value;
	}
	return result;
}
