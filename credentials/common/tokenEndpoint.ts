import {
	UserError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestMethods,
} from 'n8n-workflow';

import { allowedDomainsOf, originOf } from './boundary';
import { clientRefusedHint } from './clientAuth';
import { displayUrl, networkProblem, sentence } from './messages';
import { readPath } from './paths';
import { withTls } from './tls';
import { executionOf } from './tokens';
import { deadline, formatBytes, readBody, sendFollowing, type Answer } from './transport';

// One request to a token endpoint, and what its answer means.
//
// Everything a token endpoint sends back is treated as a secret until it has been parsed: a
// message describes the shape of a wrong answer (status, content type, length, field names),
// never its text. The only text quoted is an OAuth2 refusal's `error` code and a
// prose-shaped `error_description` (RFC 6749 5.2), which say what to fix.

export interface TokenRequest {
	url: string;
	method?: IHttpRequestMethods;
	headers?: IDataObject;
	/** Sent as application/x-www-form-urlencoded unless `json` is set. */
	form?: Record<string, string>;
	json?: unknown;
	/** Where the token and its lifetime sit in the answer (dot paths). */
	tokenPath?: string;
	lifetimePath?: string;
	lifetimeKind?: 'seconds' | 'absolute';
	/** What to check when the endpoint refuses the grant. */
	grantHint: string;
}

export interface TokenAnswer {
	accessToken: string;
	lifetimeSeconds?: number;
	refreshToken?: string;
}

/** Thrown when the endpoint refused the grant itself (a wrong password, an expired refresh token...). */
export class GrantRefusedError extends UserError {
	readonly oauthError: string | undefined;

	constructor(message: string, oauthError: string | undefined) {
		super(message);
		this.oauthError = oauthError;
	}
}

/** A token answer is small; anything bigger is not one. */
const MAX_TOKEN_ANSWER = 1024 * 1024;

type Parsed = { kind: 'json' | 'form'; value: unknown } | { kind: 'html' | 'text' | 'empty' };

function parseAnswer(text: string, contentType: string): Parsed {
	if (!text.trim()) return { kind: 'empty' };
	if (/x-www-form-urlencoded/i.test(contentType)) return { kind: 'form', value: Object.fromEntries(new URLSearchParams(text.trim())) };
	if (/html/i.test(contentType) || /^\s*<(!doctype|html|head|body)/i.test(text)) return { kind: 'html' };
	try {
		return { kind: 'json', value: JSON.parse(text) };
	} catch {
		return { kind: 'text' };
	}
}

/** What an answer looks like, without a word of what it says. */
function shapeOf(parsed: Parsed, contentType: string, bytes: number): string {
	const type = contentType.split(';')[0].trim() || 'no content type';
	const size = formatBytes(bytes);
	if (parsed.kind === 'json' || parsed.kind === 'form') {
		const value = parsed.value;
		if (Array.isArray(value)) return `${type}, ${size}: a JSON array of ${value.length}`;
		if (value && typeof value === 'object') {
			const fields = Object.keys(value).slice(0, 12);
			return `${type}, ${size}, ${parsed.kind === 'form' ? 'form ' : ''}fields: ${fields.join(', ') || 'none'}`;
		}
		return `${type}, ${size}: a JSON ${value === null ? 'null' : typeof value}`;
	}
	return `${type}, ${size}${parsed.kind === 'html' ? ', an HTML page' : parsed.kind === 'empty' ? ', empty' : ''}`;
}

/** An OAuth2 error code (RFC 6749 5.2 allows printable ASCII; real ones are identifiers). */
const errorCode = (value: unknown) => (typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : undefined);

/**
 * A description that reads like a sentence and holds nothing token-like (no run of 32 or more
 * base64 characters): an OAuth2 error_description, or the message a custom login endpoint gives.
 */
function proseOf(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const text = value.replace(/\s+/g, ' ').trim();
	if (!text.includes(' ') || text.length > 300 || /[A-Za-z0-9+=_-]{32,}/.test(text)) return undefined;
	return text;
}

/** The first prose-like explanation in a refusal's usual fields. */
function explanationOf(value: IDataObject | undefined): string | undefined {
	const nested = value?.error && typeof value.error === 'object' ? (value.error as IDataObject).message : undefined;
	return [value?.error_description, value?.message, nested, value?.detail, value?.title].map(proseOf).find(Boolean);
}

/** Sends the token request: to the token URL's origin only, within the token timeout. */
async function send(helper: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject, request: TokenRequest, where: string) {
	const timeoutMs = (Number(credentials.tokenTimeout) || 30) * 1000;
	const origin = originOf(request.url);
	if (!origin) throw new UserError(`Token URL is not an absolute http(s) URL. Check it for typos.`);
	const headers: IDataObject = { Accept: 'application/json', ...request.headers };
	let body: string | undefined;
	if (request.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(request.json);
	} else if (request.form) {
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
		body = new URLSearchParams(request.form).toString();
	}
	const { signal, expired } = deadline(timeoutMs, executionOf(credentials)?.signal);
	const domains = allowedDomainsOf(credentials);
	let failure: unknown;
	try {
		const answer = await sendFollowing(
			{ url: request.url, method: request.method ?? 'POST', headers, body },
			async (options) => {
				const response = (await helper.helpers.httpRequest(
					withTls(credentials, {
						...options,
						json: false,
						encoding: 'stream',
						returnFullResponse: true,
						ignoreHttpStatusErrors: true,
						disableFollowRedirect: true,
						timeout: timeoutMs,
						abortSignal: signal,
					}),
				)) as Omit<Answer, 'url'>;
				return { ...response, url: options.url };
			},
			{ boundary: { origin, ...(domains ? { domains } : {}) }, follow: true, crossOrigin: 'error', what: where },
		);
		const bytes = await readBody(answer.body, MAX_TOKEN_ANSWER, where, 'Check the Token URL: it must be the token endpoint.', signal);
		return { answer, bytes };
	} catch (error) {
		failure = error;
	}
	if (signal.aborted && !expired()) throw new UserError(`${where}: the execution was stopped.`);
	if (failure instanceof UserError && !expired()) throw failure;
	const problem = expired()
		? `it did not answer within ${timeoutMs / 1000} s (Token Request Timeout)`
		: networkProblem(failure, { clientCertificate: credentials.useTls === true });
	throw new UserError(sentence(`${where} could not be reached: ${problem ?? 'the connection failed'}`));
}

export async function requestToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	request: TokenRequest,
): Promise<TokenAnswer> {
	const where = `The token endpoint ${displayUrl(request.url)}`;
	const { answer, bytes } = await send(helper, credentials, request, where);
	const contentType = String(answer.headers?.['content-type'] ?? '');
	const parsed = parseAnswer(bytes.toString('utf8'), contentType);
	const shape = shapeOf(parsed, contentType, bytes.length);
	const status = answer.statusCode;
	const value = 'value' in parsed && parsed.value && typeof parsed.value === 'object' ? (parsed.value as IDataObject) : undefined;
	if (status < 200 || status >= 300) {
		const code = errorCode(value?.error);
		const said = [code, explanationOf(value)].filter(Boolean).join(': ');
		const detail = said ? `HTTP ${status}, ${said}` : `HTTP ${status}, ${shape}`;
		if (status >= 500) {
			throw new UserError(`${where} failed (${detail}). The authorization server has a problem: try again later.`);
		}
		if (code === 'invalid_client' || (status === 401 && !code)) {
			throw new GrantRefusedError(`${where} refused the client (${detail}). ${clientRefusedHint(credentials)}`, code);
		}
		throw new GrantRefusedError(`${where} refused the request (${detail}). ${request.grantHint}`, code);
	}
	if (parsed.kind === 'html') {
		throw new UserError(
			`${where} answered an HTML page (${shape}) instead of a token. Check the Token URL: it must be the token endpoint, not a login or documentation page.`,
		);
	}
	if (!value || Array.isArray(value)) {
		throw new UserError(
			`${where} answered something that is not a JSON object (${shape}). Check the Token URL, and that the endpoint answers JSON.`,
		);
	}
	const tokenPath = request.tokenPath ?? 'access_token';
	const token = readPath(value, tokenPath);
	if (typeof token !== 'string' || token === '') {
		throw new UserError(`${where} answered without a token at "${tokenPath}" (${shape}). Check the Token Path.`);
	}
	const lifetime = lifetimeSeconds(readPath(value, request.lifetimePath ?? 'expires_in'), request.lifetimeKind ?? 'seconds');
	const refresh = value.refresh_token;
	return { accessToken: token, lifetimeSeconds: lifetime, refreshToken: typeof refresh === 'string' && refresh ? refresh : undefined };
}

/** Seconds from now, from a lifetime in seconds or an absolute time (ISO, epoch s or ms). */
export function lifetimeSeconds(value: unknown, kind: 'seconds' | 'absolute', now = Date.now()): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (kind === 'seconds') {
		const seconds = Number(value);
		return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
	}
	const numeric = Number(value);
	const at = Number.isFinite(numeric) ? (numeric < 1e12 ? numeric * 1000 : numeric) : Date.parse(String(value));
	if (!Number.isFinite(at)) return undefined;
	const seconds = (at - now) / 1000;
	return seconds > 0 ? seconds : undefined;
}
