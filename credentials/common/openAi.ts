import {
	UserError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import { guardedAuthenticate } from './boundary';
import { MAX_CHECK_ANSWER, sendCheck } from './check';

import { assertHeader } from './headers';
import { displayUrl, redact } from './messages';
import { pairsOf, type NameValue } from './pairs';
import { readBody } from './transport';
import { resolveUrl } from './urls';

// OpenAI's API, or any server that speaks it: every call carries "Authorization: Bearer <key>"
// and, when set, the OpenAI-Organization and OpenAI-Project headers. n8n's own openAiApi cannot
// be used by a community node, hence this one.
//
// What OpenAI's error JSON says about a call is read here too, for the node and the Test button:
// the key, the organization, the project, the key's permissions, or the Base URL.

export const OPENAI_CREDENTIAL = 'apiConnectorOpenAiApi';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const KEYS_PAGE = 'https://platform.openai.com/api-keys';

/** Headers the credential sets itself; Extra Headers may not replace them. */
const OWN_HEADERS = ['authorization', 'openai-organization', 'openai-project'];

function extraHeaders(credentials: ICredentialDataDecryptedObject): NameValue[] {
	return pairsOf(credentials.extraHeaders);
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
	const key = String(credentials.apiKey ?? '').trim();
	if (!key) throw new UserError('The OpenAI credential has no API key. Enter one in the credential.');
	const headers: IDataObject = {};
	for (const { name, value } of extraHeaders(credentials)) {
		if (OWN_HEADERS.includes(name.toLowerCase())) {
			throw new UserError(
				`Extra Headers: "${name}" is set by the credential itself. Use the API Key, Organization ID or Project ID field instead.`,
			);
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
export function credentialProblem(status: number, body: unknown, credentials: ICredentialDataDecryptedObject): string | undefined {
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

/** GET {Base URL}/models, and what OpenAI's answer says about the key, organization, project or URL. */
export async function checkOpenAiKey(http: IHttpRequestHelper, data: ICredentialDataDecryptedObject): Promise<string> {
	const url = openAiUrl(data, 'models');
	const answer = await sendCheck(http, guardedAuthenticate(applyOpenAiAuth), data, url);
	const where = `GET ${displayUrl(answer.url)}`;
	const raw = await readBody(answer.body, MAX_CHECK_ANSWER, where, 'The Base URL must be an OpenAI-compatible API.', answer.signal);
	let body: unknown;
	try {
		body = JSON.parse(raw.toString('utf8'));
	} catch {
		body = undefined;
	}
	const status = answer.statusCode;
	if (status >= 200 && status < 300) {
		if (!Array.isArray((body as { data?: unknown })?.data)) {
			throw new UserError(
				`${where} answered, but not with a model list. The Base URL must be an OpenAI-compatible API, such as ${OPENAI_BASE_URL}.`,
			);
		}
		return 'OpenAI accepted the key.';
	}
	const problem = credentialProblem(status, body, data);
	if (problem) throw new UserError(problem);
	if (status === 404)
		throw new UserError(`${where} answered HTTP 404: this Base URL does not serve /models. For OpenAI it is ${OPENAI_BASE_URL}.`);
	const said = openAiErrorOf(body)?.message;
	throw new UserError(
		`${where} answered HTTP ${status}${said ? `: ${scrub(said, openAiSecrets(data))}` : ''}.${status >= 500 || status === 429 ? ' Try again later.' : ''}`,
	);
}
