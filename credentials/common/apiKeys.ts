import { UserError, type ICredentialDataDecryptedObject, type INodeProperties } from 'n8n-workflow';

// Keys with a live and a development value. Which one a call uses is decided by the node that
// makes it (Configured API Call's Environment); n8n's own nodes always get the live key. A
// development key may belong to a sandbox host: its own Base URL then goes with it.

export type Environment = 'live' | 'development';

export const keyFields = (keyName: string): INodeProperties[] => [
	{
		displayName: keyName,
		name: 'apiKey',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description: 'The live key, used by production runs',
	},
	{
		displayName: `Development ${keyName}`,
		name: 'developmentApiKey',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		description:
			'Optional. Configured API Call uses it in manual runs from the editor when its Environment is Automatic, or always when it is Development.',
	},
	{
		// Set by the node making the call, never by the user.
		displayName: 'Environment',
		name: 'environment',
		type: 'hidden',
		default: 'live',
	},
];

export const developmentBaseUrlField: INodeProperties = {
	displayName: 'Development Base URL',
	name: 'developmentBaseUrl',
	type: 'string',
	default: '',
	placeholder: 'https://sandbox.example.com/v1',
	description:
		'Optional. Used instead of the Base URL with the development key, for APIs whose test keys work only on a sandbox host. The Test button checks the development key against it.',
};

/** Whether the credential has a development key. */
export const hasDevelopmentKey = (credentials: ICredentialDataDecryptedObject): boolean =>
	typeof credentials.developmentApiKey === 'string' && credentials.developmentApiKey !== '';

/** The key a call should carry, by the credential's environment. */
export function selectedKey(credentials: ICredentialDataDecryptedObject): string {
	if (credentials.environment === 'development') {
		if (!hasDevelopmentKey(credentials)) {
			throw new UserError(
				'The Development environment was chosen, but this credential has no development key. Add one to the credential, or choose Live.',
			);
		}
		return credentials.developmentApiKey as string;
	}
	const key = credentials.apiKey as string;
	if (!key) throw new UserError('The credential has no key. Enter it in the credential.');
	return key;
}

/**
 * The credential as a call in `environment` sees it: which key, and for the development key
 * its own Base URL when one is set.
 */
export function withEnvironment(credentials: ICredentialDataDecryptedObject, environment: Environment): ICredentialDataDecryptedObject {
	const sandbox = environment === 'development' && String(credentials.developmentBaseUrl ?? '').trim();
	return { ...credentials, environment, ...(sandbox ? { baseUrl: sandbox } : {}) };
}
