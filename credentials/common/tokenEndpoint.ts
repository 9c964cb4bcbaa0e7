import {
	UserError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHttpRequestHelper,
	type IHttpRequestMethods,
} from 'n8n-workflow';

import { displayUrl, excerpt, networkProblem } from './messages';
import { withTls } from './tls';

// One request to a token endpoint, and what its answer means. Every failure becomes a message
// that says which endpoint, what it answered and what to check, with the secrets blanked out.


export interface TokenRequest {
	url: string;
	method?: IHttpRequestMethods;
	headers?: IDataObject;
	/** Sent as application/x-www-form-urlencoded unless `json` is set. */
	form?: Record<string, string>;
	json?: unknown;
	/** Values to blank out of any message. */
	secrets: unknown[];
	/** Where the token and its lifetime sit in the JSON answer (dot paths). */
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
	body: IDataObject;
}

/** Thrown when the endpoint refused the grant itself (a wrong password, an expired refresh token...). */
export class GrantRefusedError extends UserError {
	constructor(
		message: string,
		readonly oauthError: string | undefined,
	) {
		super(message);
	}
}

export function readPath(body: unknown, path: string): unknown {
	let current: unknown = body;
	for (const part of path.split('.').filter(Boolean)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}

interface FullResponse {
	body: unknown;
	headers: Record<string, string>;
	statusCode: number;
}

function parseBody(response: FullResponse): { json?: unknown; kind: 'json' | 'html' | 'text' | 'empty' } {
	const raw = response.body;
	if (raw === undefined || raw === null || raw === '') return { kind: 'empty' };
	if (typeof raw === 'object' && !Buffer.isBuffer(raw)) return { json: raw, kind: 'json' };
	const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
	const type = String(response.headers?.['content-type'] ?? '');
	if (/html/i.test(type) || /^\s*<(!doctype|html|head|body)/i.test(text)) return { kind: 'html' };
	try {
		return { json: JSON.parse(text), kind: 'json' };
	} catch {
		return { kind: 'text' };
	}
}

export async function requestToken(
	helper: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
	request: TokenRequest,
): Promise<TokenAnswer> {
	const where = `Token endpoint ${displayUrl(request.url)}`;
	const timeoutMs = (Number(credentials.tokenTimeout) || 30) * 1000;
	const headers: IDataObject = { Accept: 'application/json', ...request.headers };
	let body: string | undefined;
	if (request.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(request.json);
	} else if (request.form) {
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
		body = new URLSearchParams(request.form).toString();
	}
	let response: FullResponse | undefined;
	let failure: unknown;
	try {
		response = (await helper.helpers.httpRequest(
			withTls(credentials, {
				url: request.url,
				method: request.method ?? 'POST',
				headers,
				body,
				json: false,
				encoding: 'text',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: timeoutMs,
				sendCredentialsOnCrossOriginRedirect: false,
			}),
		)) as FullResponse;
	} catch (error) {
		failure = error;
	}
	if (!response) {
		const problem = networkProblem(failure)?.replace('did not answer in time', `did not answer within ${timeoutMs / 1000} s`);
		throw new UserError(
			`${where} could not be reached: ${problem ?? (failure as Error)?.message ?? 'unknown error'}.`.replace(/\.\.$/, '.'),
		);
	}

	// The client authentication header as sent (base64 of the form-encoded id and secret).
	const authorization = String(headers.Authorization ?? '');
	const secrets = [...request.secrets, authorization, authorization.replace(/^\w+\s+/, '')];
	const { json, kind } = parseBody(response);
	const status = response.statusCode;
	if (status < 200 || status >= 300) {
		const oauth = (json ?? {}) as { error?: unknown; error_description?: unknown; message?: unknown };
		const code = typeof oauth.error === 'string' ? oauth.error : undefined;
		const detail = [code, typeof oauth.error_description === 'string' ? oauth.error_description : undefined]
			.filter(Boolean)
			.join(': ');
		const said = excerpt(detail || (json ?? (kind === 'html' ? 'an HTML page' : response.body)), secrets);
		if (status >= 500) {
			throw new UserError(`${where} failed with HTTP ${status} (${said}). The authorization server has a problem: try again later.`);
		}
		if (code === 'invalid_client' || (status === 401 && !code)) {
			throw new GrantRefusedError(
				`${where} refused the client (HTTP ${status}${said ? `, ${said}` : ''}). Check the client ID and secret, and whether the client authenticates in the header or in the body.`,
				code,
			);
		}
		throw new GrantRefusedError(`${where} refused the request (HTTP ${status}${said ? `, ${said}` : ''}). ${request.grantHint}`, code);
	}
	if (kind === 'html') {
		throw new UserError(`${where} answered an HTML page instead of JSON. Check the token URL: it must be the token endpoint, not a login or documentation page.`);
	}
	if (kind !== 'json' || json === null || typeof json !== 'object') {
		throw new UserError(`${where} answered something that is not JSON (${excerpt(response.body, secrets, 80) || 'an empty body'}). Check the token URL.`);
	}
	const tokenPath = request.tokenPath ?? 'access_token';
	const token = readPath(json, tokenPath);
	if (typeof token !== 'string' || token === '') {
		const fields = Object.keys(json as object).slice(0, 12).join(', ');
		throw new UserError(`${where} answered JSON without a token at "${tokenPath}" (top-level fields: ${fields || 'none'}). Check the token path.`);
	}
	const lifetime = lifetimeSeconds(readPath(json, request.lifetimePath ?? 'expires_in'), request.lifetimeKind ?? 'seconds');
	const refresh = (json as IDataObject).refresh_token;
	return {
		accessToken: token,
		lifetimeSeconds: lifetime,
		refreshToken: typeof refresh === 'string' ? refresh : undefined,
		body: json as IDataObject,
	};
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
