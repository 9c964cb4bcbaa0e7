import type { INodeProperties } from 'n8n-workflow';

// Form fields that several credential types share. Each credential file lists the blocks it
// needs, so every form reads top to bottom: how to authenticate, where the API is, TLS.

export const baseUrlField: INodeProperties = {
	displayName: 'Base URL',
	name: 'baseUrl',
	type: 'string',
	default: '',
	placeholder: 'https://api.example.com/v1',
	description: 'Optional. Configured API Call resolves relative URLs against it, so one credential describes a whole API.',
};

/** A username and password (HTTP Basic, Digest, the password grant). */
export const userPasswordFields: INodeProperties[] = [
	{ displayName: 'Username', name: 'username', type: 'string', default: '', required: true },
	{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '', required: true },
];

export const testUrlField: INodeProperties = {
	displayName: 'Test URL',
	name: 'testUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'https://api.example.com/v1/me',
	description:
		'An endpoint that answers a GET only when the credential is valid. The Test button calls it. A path is resolved against the Base URL.',
};

export const tokenUrlField = (placeholder: string, displayOptions?: INodeProperties['displayOptions']): INodeProperties => ({
	displayName: 'Token URL',
	name: 'tokenUrl',
	type: 'string',
	default: '',
	required: true,
	placeholder,
	displayOptions,
});

/** How long a token request may take. */
export const tokenTimeoutField: INodeProperties = {
	displayName: 'Token Request Timeout (Seconds)',
	name: 'tokenTimeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 30,
	description: 'How long to wait for the token endpoint before giving up with an error',
};

/** Status codes after which a token is fetched anew and the call sent once more. */
export const refreshOnStatusField: INodeProperties = {
	displayName: 'Refresh Token On Status Codes',
	name: 'refreshOnStatus',
	type: 'string',
	default: '401',
	placeholder: '401, 403',
	description:
		"When an API call answers one of these codes, the token is fetched anew and the call is sent once more. Comma-separated. n8n's HTTP Request node always uses 401.",
};

const pemFormat = { show: { clientCertificateFormat: ['pem'] } };
const pfxFormat = { show: { clientCertificateFormat: ['pfx'] } };

/** The TLS block: a client certificate (PEM or PKCS#12) and the CAs that sign the server. */
export function tlsFields(optional: boolean): INodeProperties[] {
	const whenEnabled = optional ? { show: { useTls: [true] } } : undefined;
	const within = (show: Record<string, unknown[]>) =>
		({ show: { ...(optional ? { useTls: [true] } : {}), ...show } }) as INodeProperties['displayOptions'];
	const fields: INodeProperties[] = [
		{
			displayName: 'Client Certificate Format',
			name: 'clientCertificateFormat',
			type: 'options',
			options: [
				...(optional ? [{ name: 'None', value: 'none', description: 'Only trust a private CA' }] : []),
				{ name: 'PEM', value: 'pem', description: 'Certificate and private key as PEM text' },
				{ name: 'PKCS#12 / PFX', value: 'pfx', description: 'One .p12 or .pfx file, as base64' },
			],
			default: optional ? 'none' : 'pem',
			displayOptions: whenEnabled,
		},
		{
			displayName: 'Certificate',
			name: 'certificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description: 'The client certificate in PEM, followed by any intermediate certificates',
			displayOptions: within(pemFormat.show),
		},
		{
			displayName: 'Private Key',
			name: 'privateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description: 'PKCS#8, PKCS#1 or SEC1 PEM; encrypted keys need the passphrase below',
			displayOptions: within(pemFormat.show),
		},
		{
			displayName: 'PKCS#12 File (Base64)',
			name: 'pfx',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			description: 'The .p12 or .pfx file encoded as base64, for example the output of base64 -w0 client.p12',
			displayOptions: within(pfxFormat.show),
		},
		{
			displayName: 'Passphrase',
			name: 'passphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The passphrase of an encrypted private key or PKCS#12 file. Leave empty if there is none.',
			displayOptions: within({ clientCertificateFormat: ['pem', 'pfx'] }),
		},
		{
			displayName: 'CA Certificates',
			name: 'caCertificates',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description:
				'Optional. PEM certificates of the CAs that sign the server, for servers with a private CA. When set, only these CAs are trusted for this credential.',
			displayOptions: whenEnabled,
		},
	];
	if (!optional) return fields;
	return [
		{
			displayName: 'Client Certificate or Private CA',
			name: 'useTls',
			type: 'boolean',
			default: false,
			description: 'Whether to present a client TLS certificate (mTLS) or trust a private CA, on API calls and on the token endpoint',
		},
		...fields,
	];
}

/**
 * How a key or token is written in its header. A choice rather than free text with a default:
 * n8n drops empty values from some forms, which would turn an empty prefix back into "Bearer ".
 */
export function prefixFields(show?: Record<string, string[]>): INodeProperties[] {
	const displayOptions = show ? { show } : undefined;
	return [
		{
			displayName: 'Value Format',
			name: 'prefixFormat',
			type: 'options',
			options: [
				{ name: 'Bearer <Value>', value: 'bearer', description: 'OpenAI and most APIs' },
				{ name: 'Custom Prefix', value: 'custom' },
				{ name: 'The Value Alone', value: 'plain', description: 'For headers such as X-API-Key' },
				{ name: 'Token <Value>', value: 'token' },
			],
			default: 'bearer',
			displayOptions,
		},
		{
			displayName: 'Custom Prefix',
			name: 'customPrefix',
			type: 'string',
			default: '',
			placeholder: 'Key ',
			description: 'Text sent before the value, with its trailing space',
			displayOptions: { show: { ...show, prefixFormat: ['custom'] } },
		},
	];
}

const PREFIXES: Record<string, string> = { bearer: 'Bearer ', token: 'Token ', plain: '' };

/** The text before the key or token, as the credential says. */
export function prefixOf(credentials: Record<string, unknown>): string {
	const format = (credentials.prefixFormat as string) ?? 'bearer';
	return format === 'custom' ? ((credentials.customPrefix as string) ?? '') : (PREFIXES[format] ?? 'Bearer ');
}
