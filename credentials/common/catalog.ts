import { UserError } from 'n8n-workflow';

// Every credential type of the package and what kind of authentication it does, and which
// fields hold secrets. Credentials and nodes both read it from here.

export type CredentialKind = 'none' | 'key' | 'static' | 'token' | 'oauth2';

export interface CredentialEntry {
	type: string;
	label: string;
	kind: CredentialKind;
	description: string;
	/** For a token type: what to check when the API refuses a token fetched just now (default: its scope and audience). */
	freshRefusal?: string;
}

export const CREDENTIAL_CATALOG: CredentialEntry[] = [
	{
		type: 'apiConnectorHeaderKeyApi',
		label: 'Private Key in Header',
		kind: 'key',
		description: 'An API key sent in a header, with a live and a development value',
	},
	{
		type: 'apiConnectorQueryKeyApi',
		label: 'Private Key in URL',
		kind: 'key',
		description: 'An API key sent as a query parameter, with a live and a development value',
	},
	{ type: 'apiConnectorBasicAuthApi', label: 'HTTP Basic', kind: 'static', description: 'Username and password' },
	{
		type: 'apiConnectorDigestAuthApi',
		label: 'HTTP Digest',
		// Its "token" is the server's challenge, fetched from the Test URL and renewed after a 401.
		kind: 'token',
		description: "Username and password, answered to the server's challenge (RFC 7616)",
		freshRefusal:
			"Its token is the server's Digest challenge: the answer to a fresh one was refused, so check the credential's Username and Password, and that its Test URL is in the same realm as this call.",
	},
	{
		type: 'apiConnectorPasswordGrantOAuth2Api',
		label: 'OAuth2 Password Grant',
		kind: 'token',
		description: 'A token fetched with a username and password',
	},
	{
		type: 'apiConnectorClientCredentialsOAuth2Api',
		label: 'OAuth2 Client Credentials',
		kind: 'token',
		description: 'A token for a machine client: client secret, signed client assertion or client certificate',
	},
	{
		type: 'apiConnectorCustomTokenOAuth2Api',
		label: 'OAuth2 Custom Token Request',
		kind: 'token',
		description: 'A token fetched by a login request you describe',
	},
	{
		type: 'apiConnectorAuthCodeOAuth2Api',
		label: 'OAuth2 Authorization Code',
		kind: 'oauth2',
		description: 'A user signs in once in the browser; n8n keeps and refreshes the token',
	},
	{
		type: 'apiConnectorJwtBearerApi',
		label: 'JWT Bearer Grant',
		kind: 'token',
		description: 'A signed JWT, exchanged for a token or sent itself (service accounts)',
	},
	{
		type: 'apiConnectorClientCertificateApi',
		label: 'Client Certificate Only (mTLS)',
		kind: 'static',
		description: 'A client TLS certificate and nothing else',
	},
	{
		type: 'apiConnectorCustomAuthApi',
		label: 'Self-Handled',
		kind: 'static',
		description: 'Secret headers, query parameters and body fields you define',
	},
	{ type: 'apiConnectorOpenAiApi', label: 'OpenAI', kind: 'static', description: 'An OpenAI API key, with organization and project' },
	{
		type: 'apiConnectorAwsSigV4Api',
		label: 'AWS Signature V4',
		kind: 'static',
		description: 'Requests signed with an AWS access key: S3 and S3-compatible storage, API Gateway, any AWS API',
	},
];

export function kindOf(type: string | undefined): CredentialKind {
	if (!type || type === 'none') return 'none';
	const entry = CREDENTIAL_CATALOG.find((candidate) => candidate.type === type);
	if (!entry) throw new UserError(`"${type}" is not a credential type of this package.`);
	return entry.kind;
}

export function freshRefusalHint(type: string | undefined): string | undefined {
	return CREDENTIAL_CATALOG.find((candidate) => candidate.type === type)?.freshRefusal;
}

/** Fields of the package's credentials that hold a secret (typeOptions.password); a test checks the list. */
export const SECRET_FIELDS = [
	'apiKey',
	'developmentApiKey',
	'password',
	'clientSecret',
	'passphrase',
	'privateKey',
	'pfx',
	'jwtPrivateKey',
	'jwtPassphrase',
	'clientAssertionKey',
	'clientAssertionPassphrase',
	'accessToken',
	'refreshToken',
	'tokenExpiredStatusCode',
	'secretAccessKey',
	'sessionToken',
];

/** Name/value lists whose values are secrets. */
export const SECRET_COLLECTIONS = ['headers', 'queryParameters', 'bodyFields', 'privateValues', 'extraHeaders'];

/** The secret values of a credential, as they are now (a refreshed token included). */
export function secretValues(data: Record<string, unknown>): string[] {
	const values: unknown[] = SECRET_FIELDS.map((field) => data[field]);
	for (const collection of SECRET_COLLECTIONS) {
		for (const pair of (data[collection] as { values?: Array<{ value?: unknown }> })?.values ?? []) values.push(pair.value);
	}
	const oauth = data.oauthTokenData as { access_token?: unknown; refresh_token?: unknown } | undefined;
	values.push(oauth?.access_token, oauth?.refresh_token);
	return values.filter((value): value is string => typeof value === 'string' && value.length >= 4);
}
