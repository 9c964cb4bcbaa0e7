import {
	UserError,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestHelper,
	type INodeProperties,
	type Icon,
} from 'n8n-workflow';

import { tokenUrlField } from './common/fields';
import { addClientAuth, clientFields, extraParameters, extraTokenParametersField } from './common/clientAuth';
import { assertionClaims, JWT_ALGORITHMS, signingKey, signJwt, type JwtAlgorithm } from './common/jwt';
import { requestToken } from './common/tokenEndpoint';
import { authenticateWithToken, preAuthenticateWith, tokenInputs, tokenState, tokenTypeFields } from './common/tokens';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function extraClaims(text: unknown): IDataObject {
	if (text === undefined || text === null || text === '') return {};
	if (typeof text === 'object') return text as IDataObject;
	let parsed: unknown;
	try {
		parsed = JSON.parse(String(text));
	} catch {
		parsed = undefined;
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new UserError('Extra Claims must be a JSON object, for example {"azp": "my-app"}.');
	}
	return parsed as IDataObject;
}

/**
 * Signs the assertion. The key is imported once per token, here. An exchanged assertion always
 * has a subject (RFC 7523 3): the issuer when none is set, as for a service acting for itself.
 */
function signAssertion(c: ICredentialDataDecryptedObject, audience: string, exchange: boolean): { jwt: string; lifetime: number } {
	const lifetime = Number(c.lifetime) || 3600;
	if (!c.issuer) throw new UserError('Issuer is empty. Enter the service account or client ID the provider gave you.');
	const key = signingKey('JWT Private Key', c.jwtPrivateKey as string, (c.jwtPassphrase as string) ?? '');
	const claims: IDataObject = {
		...extraClaims(c.extraClaims),
		...assertionClaims({
			issuer: c.issuer as string,
			subject: (c.subject as string) || (exchange ? (c.issuer as string) : undefined),
			audience,
			lifetime,
		}),
	};
	if (c.scope && c.scopeIn !== 'body') claims.scope = c.scope;
	return { jwt: signJwt(key, c.algorithm as JwtAlgorithm, claims, { kid: (c.keyId as string) || undefined }), lifetime };
}

async function fetchToken(helper: IHttpRequestHelper, c: ICredentialDataDecryptedObject, tokenFor: string) {
	if (c.mode === 'selfSigned') {
		if (!c.audience) throw new UserError('Audience is empty. A self-signed token needs the audience the API expects.');
		const { jwt, lifetime } = signAssertion(c, c.audience as string, false);
		return tokenState(jwt, lifetime, tokenFor);
	}
	const { jwt } = signAssertion(c, (c.audience as string) || (c.tokenUrl as string), true);
	const form: Record<string, string> = { ...extraParameters(c), grant_type: JWT_BEARER, assertion: jwt };
	if (c.scope && c.scopeIn === 'body') form.scope = c.scope as string;
	const headers: IDataObject = {};
	addClientAuth(c, form, headers, c.tokenUrl as string);
	const answer = await requestToken(helper, c, {
		url: c.tokenUrl as string,
		form,
		headers,
		grantHint:
			'The signed assertion was refused: check the issuer, subject, audience, that the key is the one registered with the provider, the algorithm, and that the lifetime is within what the provider allows.',
	});
	return tokenState(answer.accessToken, answer.lifetimeSeconds, tokenFor);
}

const exchange = { show: { mode: ['exchange'] } };

export class ApiConnectorJwtBearerApi implements ICredentialType {
	name = 'apiConnectorJwtBearerApi';

	displayName = 'API Connector: JWT Bearer Grant API';

	icon: Icon = { light: 'file:icons/jwtBearer.svg', dark: 'file:icons/jwtBearer.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#json-web-token-bearer-grant';

	properties: INodeProperties[] = [
		{
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			options: [
				{
					name: 'Exchange for an Access Token (RFC 7523)',
					value: 'exchange',
					description: 'Post the signed JWT to a token URL, as Google and Salesforce service accounts do',
				},
				{
					name: 'Send the Signed JWT Itself',
					value: 'selfSigned',
					description: 'The JWT is the bearer token, as App Store Connect wants',
				},
			],
			default: 'exchange',
		},
		tokenUrlField('https://oauth2.googleapis.com/token', exchange),
		{
			displayName: 'Issuer (iss)',
			name: 'issuer',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'robot@project.iam.gserviceaccount.com',
			description: 'Who signs: the service account email, client ID or issuer ID the provider gave you',
		},
		{
			displayName: 'Subject (sub)',
			name: 'subject',
			type: 'string',
			default: '',
			description:
				'Optional. The user to act for, where the provider allows it. When exchanging, an empty subject sends the issuer as the subject (RFC 7523 requires one).',
		},
		{
			displayName: 'Audience (aud)',
			name: 'audience',
			type: 'string',
			default: '',
			description: 'Defaults to the token URL when exchanging. Required for a self-signed token (App Store Connect: appstoreconnect-v1).',
		},
		{ displayName: 'Scope', name: 'scope', type: 'string', default: '', description: 'Space-separated scopes, if the provider wants them' },
		{
			displayName: 'Send Scope In',
			name: 'scopeIn',
			type: 'options',
			options: [
				{ name: 'The JWT (Scope Claim, as Google Wants)', value: 'claim' },
				{ name: 'The Token Request Body', value: 'body' },
			],
			default: 'claim',
			displayOptions: exchange,
		},
		{
			displayName: 'Private Key',
			name: 'jwtPrivateKey',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			placeholder: '-----BEGIN PRIVATE KEY-----',
			description: 'PEM: PKCS#1 (BEGIN RSA PRIVATE KEY), PKCS#8, SEC1 (BEGIN EC PRIVATE KEY), or encrypted with a passphrase',
		},
		{
			displayName: 'Private Key Passphrase',
			name: 'jwtPassphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Algorithm',
			name: 'algorithm',
			type: 'options',
			options: JWT_ALGORITHMS.map((value) => ({ name: value, value })),
			default: 'RS256',
			description: 'RS and PS need an RSA key, ES256/384/512 an EC P-256/P-384/P-521 key',
		},
		{ displayName: 'Key ID (kid)', name: 'keyId', type: 'string', default: '', description: 'Optional. Sent in the JWT header.' },
		{
			displayName: 'Lifetime (Seconds)',
			name: 'lifetime',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 3600,
			description: 'How long each JWT is valid. Google allows at most 3600, App Store Connect 1200.',
		},
		{
			displayName: 'Extra Claims (JSON)',
			name: 'extraClaims',
			type: 'json',
			default: '{}',
			description: 'Optional claims added to the JWT',
		},
		...clientFields(false, exchange.show),
		extraTokenParametersField(exchange.show),
		...tokenTypeFields(),
	];

	authenticate = authenticateWithToken(tokenInputs(this.properties));

	preAuthentication = preAuthenticateWith(tokenInputs(this.properties), fetchToken);
}
