import { UserError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import { assertionClaims, certificateThumbprints, JWT_ALGORITHMS, signingKey, signJwt, type JwtAlgorithm } from './jwt';
import { pairsOf } from './pairs';

// OAuth2 client authentication at the token endpoint, shared by the grants that POST to it
// themselves: a client secret (RFC 6749 2.3.1, in the Basic header or in the body), a signed
// client assertion (private_key_jwt, RFC 7523 2.2) or the client certificate the TLS layer
// presents (tls_client_auth, RFC 8705 2.1).

export type ClientAuthentication = 'header' | 'body' | 'privateKeyJwt' | 'tlsClientAuth';

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Long enough for a slow token endpoint, short enough that a captured assertion is soon worthless. */
export const CLIENT_ASSERTION_LIFETIME = 300;

type Show = Record<string, Array<string | boolean>>;

/**
 * The client block of a token credential's form. `required`: the grant needs a client (client
 * credentials); otherwise an empty Client ID sends no client at all.
 */
export function clientFields(required: boolean, show: Show = {}): INodeProperties[] {
	const when = (methods: ClientAuthentication[]) => ({ show: { ...show, clientAuthentication: methods } });
	const always = Object.keys(show).length ? { show } : undefined;
	return [
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required,
			description: required
				? 'The client (application) ID the provider gave you'
				: 'Optional. Leave empty when the server needs no client.',
			displayOptions: always,
		},
		{
			displayName: 'Client Authentication',
			name: 'clientAuthentication',
			type: 'options',
			options: [
				{ name: 'Client Secret in Basic Auth Header', value: 'header', description: 'client_secret_basic, the OAuth2 default' },
				{ name: 'Client Secret in Body', value: 'body', description: 'client_secret_post' },
				{
					name: 'Signed Client Assertion (private_key_jwt)',
					value: 'privateKeyJwt',
					description: 'A JWT signed with your private key; no secret is sent (Entra ID with a certificate, Okta)',
				},
				{
					name: 'Client Certificate (tls_client_auth)',
					value: 'tlsClientAuth',
					description: 'The client certificate below proves the client; no secret is sent',
				},
			],
			default: 'header',
			description: 'How the client proves itself to the token endpoint',
			displayOptions: always,
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: required ? undefined : 'Optional for public clients',
			displayOptions: when(['header', 'body']),
		},
		{
			displayName: 'Client Assertion Private Key',
			name: 'clientAssertionKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description:
				'PEM: PKCS#1, PKCS#8, SEC1, or encrypted with a passphrase. Its public key or certificate is registered with the provider.',
			displayOptions: when(['privateKeyJwt']),
		},
		{
			displayName: 'Client Assertion Key Passphrase',
			name: 'clientAssertionPassphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: when(['privateKeyJwt']),
		},
		{
			displayName: 'Client Assertion Algorithm',
			name: 'clientAssertionAlgorithm',
			type: 'options',
			options: JWT_ALGORITHMS.map((value) => ({ name: value, value })),
			default: 'RS256',
			description: 'RS and PS need an RSA key, ES256/384/512 an EC P-256/P-384/P-521 key',
			displayOptions: when(['privateKeyJwt']),
		},
		{
			displayName: 'Client Assertion Key ID (kid)',
			name: 'clientAssertionKeyId',
			type: 'string',
			default: '',
			description: 'Optional. The key ID the provider shows for the registered key (Okta).',
			displayOptions: when(['privateKeyJwt']),
		},
		{
			displayName: 'Client Assertion Certificate',
			name: 'clientAssertionCertificate',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			placeholder: '-----BEGIN CERTIFICATE-----',
			description:
				'Optional. The certificate registered with the provider: its thumbprints are sent as x5t and x5t#S256, which Entra ID uses to find the key.',
			displayOptions: when(['privateKeyJwt']),
		},
		{
			displayName: 'Client Assertion Audience',
			name: 'clientAssertionAudience',
			type: 'string',
			default: '',
			description: 'Optional. Defaults to the token URL, which is what RFC 7523 and most providers expect.',
			displayOptions: when(['privateKeyJwt']),
		},
		{
			displayName:
				'Turn on "Client Certificate or Private CA" below and enter the certificate the provider has registered for this client.',
			name: 'tlsClientAuthNotice',
			type: 'notice',
			default: '',
			displayOptions: when(['tlsClientAuth']),
		},
	];
}

/** Extra token-request parameters (audience, resource...) as name/value pairs. */
export const extraTokenParametersField = (show?: Show): INodeProperties => ({
	displayName: 'Extra Token Parameters',
	name: 'extraTokenParameters',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: 'Add Parameter',
	default: {},
	description: 'Optional. More fields for the token request, such as audience (Auth0) or resource (ADFS).',
	options: [
		{
			displayName: 'Parameter',
			name: 'values',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'audience' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: 'https://api.example.com' },
			],
		},
	],
	displayOptions: show ? { show } : undefined,
});

/** The extra parameters of a credential as form fields: the name/value list, then the older "a=1&b=2" text. */
export function extraParameters(credentials: IDataObject): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [name, value] of new URLSearchParams(((credentials.extraBodyParameters as string) ?? '').trim())) {
		if (name) result[name] = value;
	}
	for (const { name, value } of pairsOf(credentials.extraTokenParameters)) result[name] = value;
	return result;
}

/** A fresh client assertion (RFC 7523 2.2, 3): iss = sub = client ID, a unique jti, a short life. */
export function clientAssertion(credentials: IDataObject, tokenUrl: string, now = Date.now()): string {
	const field = 'Client Assertion Private Key';
	if (!credentials.clientAssertionKey) throw new UserError(`${field} is empty. Paste the private key whose public key is registered.`);
	const key = signingKey(field, credentials.clientAssertionKey as string, (credentials.clientAssertionPassphrase as string) ?? '');
	const id = credentials.clientId as string;
	const claims = assertionClaims({
		issuer: id,
		subject: id,
		audience: (credentials.clientAssertionAudience as string) || tokenUrl,
		lifetime: CLIENT_ASSERTION_LIFETIME,
		now,
	});
	const certificate = credentials.clientAssertionCertificate as string;
	return signJwt(key, ((credentials.clientAssertionAlgorithm as string) || 'RS256') as JwtAlgorithm, claims, {
		kid: (credentials.clientAssertionKeyId as string) || undefined,
		...(certificate ? certificateThumbprints('Client Assertion Certificate', certificate, key, now) : {}),
	});
}

/** Adds the client's proof to a token request, the way the credential says. */
export function addClientAuth(credentials: IDataObject, form: Record<string, string>, headers: IDataObject, tokenUrl: string): void {
	const id = (credentials.clientId as string) ?? '';
	if (!id) return;
	const method = (credentials.clientAuthentication as ClientAuthentication) ?? 'header';
	if (method === 'privateKeyJwt') {
		form.client_id = id;
		form.client_assertion_type = CLIENT_ASSERTION_TYPE;
		form.client_assertion = clientAssertion(credentials, tokenUrl);
		return;
	}
	if (method === 'tlsClientAuth') {
		const format = credentials.clientCertificateFormat;
		if (credentials.useTls !== true || (format !== 'pem' && format !== 'pfx')) {
			throw new UserError(
				'Client Authentication is "Client Certificate (tls_client_auth)", but no client certificate is set. Turn on "Client Certificate or Private CA" and enter the certificate.',
			);
		}
		form.client_id = id;
		return;
	}
	const secret = (credentials.clientSecret as string) ?? '';
	if (method === 'body' || !secret) {
		form.client_id = id;
		if (secret) form.client_secret = secret;
		return;
	}
	// RFC 6749 2.3.1: both parts are form-urlencoded before base64.
	const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
	headers.Authorization = `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

/** What to check when the token endpoint refuses the client, for the way it authenticated. */
export function clientRefusedHint(credentials: IDataObject): string {
	switch (credentials.clientAuthentication) {
		case 'privateKeyJwt':
			return 'Check the client ID, that the private key (or the certificate) is the one registered for this client, the algorithm, the key ID, and the Client Assertion Audience.';
		case 'tlsClientAuth':
			return 'Check the client ID, and that the client certificate is the one registered for this client.';
		default:
			return 'Check the client ID and secret, and whether the client authenticates in the header or in the body.';
	}
}
