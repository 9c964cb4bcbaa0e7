import {
	UserError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INodeProperties,
} from 'n8n-workflow';

import { displayUrl, networkProblem, statusOf } from './messages';
import { checkingTestRequest } from './checkOnTest';
import { testRequest } from './testRequest';
import { withTls } from './tls';
import { resolveUrl } from './urls';

// Keys with a live and a development value. Which one a call uses is decided by the node that
// makes it (Configured API Call's Environment); n8n's own nodes always get the live key.

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
	{
		// n8n runs preAuthentication only for a credential with an "expirable" field: when that
		// field is empty (never, here) and after a 401. checkEveryKey then says which key the API
		// refuses. See checkOnTest.ts for how the Test button gets there.
		displayName: 'Key Check',
		name: 'keyCheck',
		type: 'hidden',
		typeOptions: { expirable: true },
		default: 'on test and after 401',
	},
];

/** The key a call should carry, by the credential's environment. */
export function selectedKey(credentials: ICredentialDataDecryptedObject): string {
	if (credentials.environment === 'development') {
		const key = credentials.developmentApiKey as string;
		if (!key) {
			throw new UserError(
				'The Development environment was chosen, but this credential has no development key. Add one to the credential, or choose Live.',
			);
		}
		return key;
	}
	const key = credentials.apiKey as string;
	if (!key) throw new UserError('The credential has no key. Enter it in the credential.');
	return key;
}

export function withEnvironment(
	credentials: ICredentialDataDecryptedObject,
	environment: Environment,
): ICredentialDataDecryptedObject {
	return { ...credentials, environment };
}

/** The Test button's request for key credentials: every key that is set is checked. */
export const keyTestRequest = checkingTestRequest(testRequest);

type ApplyKey = (
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
) => Promise<IHttpRequestOptions>;

/**
 * preAuthentication of key credentials: calls the test URL with every key that is set and
 * throws one message that says which the API refused. Returns nothing to store.
 */
export async function checkEveryKey(
	this: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	applyKey: ApplyKey,
): Promise<IDataObject> {
	if (!credentials.testUrl) return {};
	const url = resolveUrl(credentials.baseUrl as string, credentials.testUrl as string, 'Test URL');
	const environments: Environment[] = credentials.developmentApiKey ? ['live', 'development'] : ['live'];
	const verdicts: string[] = [];
	let failed = false;
	for (const environment of environments) {
		const options = await applyKey(withEnvironment(credentials, environment), {
			url,
			method: 'GET',
			json: true,
			sendCredentialsOnCrossOriginRedirect: false,
		});
		try {
			await this.helpers.httpRequest(withTls(credentials, options));
			verdicts.push(`${environment} key accepted`);
		} catch (error) {
			failed = true;
			const status = statusOf(error);
			if (status === 401 || status === 403) verdicts.push(`${environment} key refused (HTTP ${status})`);
			else if (status) verdicts.push(`${environment} key: the test URL answered HTTP ${status}, check the Test URL`);
			else verdicts.push(`${environment} key not checked: ${networkProblem(error) ?? (error as Error).message}`);
		}
	}
	if (failed) {
		throw new UserError(`Key check against ${displayUrl(url)}: ${verdicts.join('; ')}.`);
	}
	return {};
}
