import {
	UserError,
	type ICredentialDataDecryptedObject,
	type ICredentialTestRequest,
	type ICredentialType,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
	type INodeProperties,
	type Icon,
} from 'n8n-workflow';

import { checkingTestRequest, checkSignal } from './common/checkOnTest';
import { assertHeader } from './common/headers';
import { displayUrl, networkProblem, redact } from './common/messages';
import { resolveUrl } from './common/urls';

// OpenAI's API, or any server that speaks it: every call carries "Authorization: Bearer <key>"
// and, when set, the OpenAI-Organization and OpenAI-Project headers. n8n's own openAiApi cannot
// be used by a community node, hence this one.
//
// preAuthentication reads OpenAI's error JSON to say what is wrong: the key, the organization,
// the project, the key's permissions, or the Base URL. n8n runs it after a 401 (then the call is
// sent once more), and the Test button runs it first (see common/checkOnTest.ts).

export const OPENAI_CREDENTIAL = 'apiConnectorOpenAiApi';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
const KEYS_PAGE = 'https://platform.openai.com/api-keys';
const TEST_TIMEOUT_MS = 30_000;

/** Headers the credential sets itself; Extra Headers may not replace them. */
const OWN_HEADERS = ['authorization', 'openai-organization', 'openai-project'];

type Pair = { name?: string; value?: string };

function extraHeaders(credentials: ICredentialDataDecryptedObject): Array<{ name: string; value: string }> {
	const values = ((credentials.extraHeaders as IDataObject)?.values ?? []) as Pair[];
	return values
		.filter((pair) => pair.name?.trim())
		.map((pair) => ({ name: (pair.name as string).trim(), value: String(pair.value ?? '') }));
}

/** The key and the extra header values: never quoted in any message. */
export function openAiSecrets(credentials: ICredentialDataDecryptedObject): string[] {
	return [String(credentials.apiKey ?? '').trim(), ...extraHeaders(credentials).map((header) => header.value)];
}

/**
 * Blanks the secrets out of a text, and also anything that looks like a key or a masked key:
 * OpenAI quotes keys as "sk-proj-ab****wxyz", which still gives away parts of the key.
 */
export function scrub(text: string, secrets: unknown[]): string {
	return redact(text, secrets)
		.replace(/\b(sk|rk)-[A-Za-z0-9_*.-]+/g, '***')
		.replace(/[^\s"'`]*\*{3,}[^\s"'`.,]*/g, '***');
}

export function openAiBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	return String(credentials.baseUrl ?? '').trim() || OPENAI_BASE_URL;
}

/** A URL below the credential's Base URL, e.g. "models". */
export function openAiUrl(credentials: ICredentialDataDecryptedObject, path: string): string {
	return resolveUrl(openAiBaseUrl(credentials), path, 'Base URL');
}

export async function applyOpenAiAuth(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const signal = checkSignal(requestOptions);
	if (signal) throw signal;
	const key = String(credentials.apiKey ?? '').trim();
	if (!key) throw new UserError('The OpenAI credential has no API key. Enter one in the credential.');
	const headers: IDataObject = {};
	for (const { name, value } of extraHeaders(credentials)) {
		if (OWN_HEADERS.includes(name.toLowerCase())) {
			throw new UserError(`Extra Headers: "${name}" is set by the credential itself. Use the API Key, Organization ID or Project ID field instead.`);
		}
		assertHeader(name, value, 'Extra Headers');
		headers[name] = value;
	}
	const own: Array<[string, string, string]> = [
		['Authorization', `Bearer ${key}`, 'API Key'],
		['OpenAI-Organization', String(credentials.organizationId ?? '').trim(), 'Organization ID'],
		['OpenAI-Project', String(credentials.projectId ?? '').trim(), 'Project ID'],
	];
	for (const [name, value, field] of own) {
		if (!value) continue;
		assertHeader(name, value, field);
		headers[name] = value;
	}
	return { ...requestOptions, headers: { ...requestOptions.headers, ...headers } };
}

export interface OpenAiErrorBody {
	message?: string;
	type?: string;
	code?: string;
}

/** OpenAI's `{"error": {"message", "type", "param", "code"}}`, if the body has it. */
export function openAiErrorOf(body: unknown): OpenAiErrorBody | undefined {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	const error = (value as { error?: unknown } | undefined)?.error;
	if (typeof error === 'string') return { message: error };
	if (!error || typeof error !== 'object') return undefined;
	const { message, type, code } = error as Record<string, unknown>;
	const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
	return { message: text(message), type: text(type), code: text(code) };
}

/** The scopes a restricted or read-only key lacks, from "... Missing scopes: api.model.read. ..." */
export function missingScopes(message: string | undefined): string[] {
	const match = /missing scopes?:\s*([a-z0-9_.,\s]+?)(?:\.\s|\.$|$)/i.exec(message ?? '');
	return match ? match[1].split(/[,\s]+/).filter(Boolean) : [];
}

/**
 * What OpenAI's refusal says about the credential (wrong key, organization, project, or a key
 * without the permission), or undefined when the refusal is about something else.
 */
export function credentialProblem(
	status: number,
	body: unknown,
	credentials: ICredentialDataDecryptedObject,
): string | undefined {
	const error = openAiErrorOf(body);
	const code = error?.code;
	if (code === 'invalid_api_key') {
		// OpenAI's message quotes part of the key: it is left out on purpose.
		return `OpenAI does not accept this API key (HTTP ${status} invalid_api_key): it is mistyped, revoked or deleted. Paste a current key from ${KEYS_PAGE}.`;
	}
	if (code === 'mismatched_organization') {
		return `The API key does not belong to the organization "${String(credentials.organizationId ?? '').trim()}" (HTTP ${status} mismatched_organization). Correct the Organization ID in the credential, or leave it empty to use the key's own organization.`;
	}
	if (code === 'mismatched_project') {
		return `The API key does not belong to the project "${String(credentials.projectId ?? '').trim()}" (HTTP ${status} mismatched_project). Correct the Project ID in the credential, or leave it empty to use the key's own project.`;
	}
	const scopes = missingScopes(error?.message);
	if (scopes.length) {
		const writes = scopes.some((scope) => /\.(write|delete)$/.test(scope));
		const level = writes ? 'Write' : scopes.some((scope) => scope.endsWith('.request')) ? 'Request' : 'Read';
		return `The API key is valid but lacks the permission for this call (HTTP ${status}, missing scope ${scopes.join(', ')}). ${
			writes ? 'A read-only or restricted key cannot do this: give' : 'Give'
		} the key ${level} permission for it, or All permissions, at ${KEYS_PAGE}.`;
	}
	if (status === 401) {
		const said = error?.message ? `: ${scrub(error.message, openAiSecrets(credentials))}` : '';
		return `OpenAI refused the credential (HTTP 401${said}). Check the API key, Organization ID and Project ID.`;
	}
	return undefined;
}

interface FullResponse {
	body: unknown;
	statusCode: number;
}

/**
 * preAuthentication: GET {Base URL}/models with the credential, and a message that says what
 * is wrong when it fails. Returns nothing to store.
 */
export async function checkOpenAiKey(
	this: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<IDataObject> {
	const url = openAiUrl(credentials, 'models');
	const options = await applyOpenAiAuth(credentials, {
		url,
		method: 'GET',
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: TEST_TIMEOUT_MS,
		sendCredentialsOnCrossOriginRedirect: false,
	});
	let response: FullResponse;
	try {
		response = (await this.helpers.httpRequest(options)) as FullResponse;
	} catch (error) {
		const reason = networkProblem(error) ?? scrub((error as Error)?.message ?? 'unknown error', openAiSecrets(credentials));
		throw new UserError(`The Base URL does not answer: GET ${displayUrl(url)} failed (${reason}). Check the Base URL in the credential.`);
	}
	const { statusCode: status, body } = response;
	if (status >= 200 && status < 300) {
		if (!Array.isArray((body as { data?: unknown })?.data)) {
			throw new UserError(`GET ${displayUrl(url)} answered, but not with a model list. The Base URL must be an OpenAI-compatible API, such as ${OPENAI_BASE_URL}.`);
		}
		return {};
	}
	const problem = credentialProblem(status, body, credentials);
	if (problem) throw new UserError(problem);
	if (status === 404) {
		throw new UserError(`GET ${displayUrl(url)} answered HTTP 404: this Base URL does not serve /models. For OpenAI it is ${OPENAI_BASE_URL}.`);
	}
	const said = openAiErrorOf(body)?.message;
	throw new UserError(
		`GET ${displayUrl(url)} answered HTTP ${status}${said ? `: ${scrub(said, openAiSecrets(credentials))}` : ''}.${status >= 500 || status === 429 ? ' Try again later.' : ''}`,
	);
}

export class ApiConnectorOpenAiApi implements ICredentialType {
	name = OPENAI_CREDENTIAL;

	displayName = 'API Connector: OpenAI API';

	icon: Icon = { light: 'file:icons/openAi.svg', dark: 'file:icons/openAi.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#openai';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: `A secret key from ${KEYS_PAGE}. Restricted and read-only keys work for the calls their permissions allow.`,
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			placeholder: 'org-...',
			description: 'Optional. Sent as OpenAI-Organization, for keys that can act for several organizations.',
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			placeholder: 'proj_...',
			description: 'Optional. Sent as OpenAI-Project, for keys that can act for several projects.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: OPENAI_BASE_URL,
			description: 'Change it for a proxy or an OpenAI-compatible server. It must serve GET /models: the Test button calls it.',
		},
		{
			displayName: 'Extra Headers',
			name: 'extraHeaders',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Header',
			default: {},
			description: 'Optional. Sent with every call, for example to a proxy in front of the API.',
			options: [
				{
					displayName: 'Header',
					name: 'values',
					values: [
						{ displayName: 'Name', name: 'name', type: 'string', default: '' },
						{ displayName: 'Value', name: 'value', type: 'string', typeOptions: { password: true }, default: '' },
					],
				},
			],
		},
		{
			// n8n runs preAuthentication when this hidden field is empty and after a 401. It is
			// never empty, so the key check runs only after a 401, and then says what OpenAI refused.
			displayName: 'Key Check',
			name: 'keyCheck',
			type: 'hidden',
			typeOptions: { expirable: true },
			default: 'after a 401',
		},
	];

	authenticate = applyOpenAiAuth;

	preAuthentication = checkOpenAiKey;

	// GET {Base URL}/models, after preAuthentication checked the same call and said what is wrong:
	// the key, organization, project, permission, or a Base URL that does not answer.
	test: ICredentialTestRequest = checkingTestRequest({
		request: {
			baseURL: `={{ ($credentials.baseUrl || '${OPENAI_BASE_URL}').replace(/\\/+$/, '') }}`,
			url: '/models',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: { value: 403, message: credentialProblem(403, { error: { message: 'Missing scopes: api.model.read.' } }, {}) as string },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: `The Base URL does not serve /models (HTTP 404). For OpenAI it is ${OPENAI_BASE_URL}.` },
			},
		],
	});
}
