// A small, strict OAuth2 authorization server (RFC 6749, 7636 PKCE, 7523 JWT bearer) plus an
// API protected by its tokens. Strict on purpose: oauth2-mock-server accepts wrong secrets,
// so it cannot prove that a node sends the right credentials.
import { createHash, createPublicKey, KeyObject, randomBytes, X509Certificate, type JsonWebKey } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { compactVerify, decodeJwt, decodeProtectedHeader, errors, type JWSHeaderParameters, type JWTPayload } from 'jose';
import type { CertKey } from './certs.ts';
import { escapeHtml, listen, paramsToObject, readBody, send, sendJson, type TlsMode } from './http.ts';

export interface OAuth2Client {
	id: string;
	/** Omitted: a public client (password, refresh_token and PKCE authorization_code only). */
	secret?: string;
	/** Omitted: any redirect_uri is accepted. */
	redirectUris?: string[];
	/** private_key_jwt (RFC 7523 2.2): the key that verifies the client's assertions (public key, or a certificate PEM). */
	assertionKey?: KeyObject | string;
	/**
	 * The client's registered certificate (PEM). With `assertionKey`: an assertion's x5t#S256
	 * must match it and it must be valid. Alone: tls_client_auth (RFC 8705), the certificate the
	 * TLS layer saw must be this one.
	 */
	certificate?: string;
	/** Like Entra ID: an assertion must name its certificate by x5t#S256. */
	requireThumbprint?: boolean;
}

export interface OAuth2User {
	username: string;
	password: string;
}

export interface JwtIssuer {
	issuer: string;
	publicKey: KeyObject | string | JsonWebKey;
	/** When set, the assertion's `sub` must equal it. */
	subject?: string;
}

export interface OAuth2ServerOptions {
	tls?: TlsMode;
	serverCert?: CertKey;
	clients?: OAuth2Client[];
	users?: OAuth2User[];
	jwtIssuers?: JwtIssuer[];
	/** Access token lifetime in seconds (default 3600). */
	lifetime?: number;
	issueRefreshTokens?: boolean;
	/** Expected `aud` of JWT assertions (default: the token URL). */
	audience?: string;
	/** Shown on the login page, for the demo: the user to sign in as. */
	loginHint?: { username: string; password: string };
}

export type OAuth2Fault = 'none' | 500 | 'html' | 'non-json' | 'no-token' | 'timeout';

export interface TokenLogEntry {
	/** The grant_type sent, or 'custom' for /custom/login. */
	grant_type: string;
	clientAuth: 'basic' | 'body' | 'none' | 'private_key_jwt' | 'tls_client_auth';
	ok: boolean;
	status: number;
	error?: string;
	error_description?: string;
	at: number;
}

export interface TokenInfo {
	active: boolean;
	expired: boolean;
	scope?: string;
	sub?: string;
	clientId?: string;
}

export interface OAuth2Server {
	url: string;
	port: number;
	tokenUrl: string;
	authorizeUrl: string;
	customLoginUrl: string;
	/** GET: the protected API (`/api/me`). */
	apiUrl: string;
	audience: string;
	/** total (POST /token), one per grant_type, custom, authorize (login page views), api. */
	counts: { total: number; custom: number; api: number; authorize: number; [grantType: string]: number };
	log: TokenLogEntry[];
	/** Header and payload of the last assertion whose signature verified (claims may still have failed). */
	lastAssertion?: { header: JWSHeaderParameters; payload: JWTPayload };
	/** The same for the last client assertion (private_key_jwt). */
	lastClientAssertion?: { header: JWSHeaderParameters; payload: JWTPayload };
	/** The form fields of the last token request. */
	lastTokenParams?: Record<string, string>;
	/** Every query parameter of the last GET /authorize. */
	lastAuthorizeQuery?: Record<string, string>;
	/** Fault for POST /token and /custom/login, for the next `times` requests (default: until reset). */
	setFault(fault: OAuth2Fault, times?: number): void;
	/** Lifetime (seconds) of tokens issued from now on; 0 makes them expire at once. */
	setLifetime(seconds: number): void;
	/** Server-side revocation of every access token (refresh tokens stay valid). */
	revokeAll(): void;
	/** Makes every issued access token expired. */
	expireAll(): void;
	validate(accessToken: string): TokenInfo;
	/** Mints an access token directly, e.g. to seed a credential. */
	issueAccessToken(grant: { sub: string; scope?: string; clientId?: string }): string;
	close(): Promise<void>;
}

interface Grant {
	sub: string;
	scope?: string;
	clientId?: string;
}

interface Reply {
	status: number;
	body: unknown;
	headers?: OutgoingHttpHeaders;
}

interface AuthRequest {
	clientId: string;
	redirectUri: string;
	/** RFC 6749 4.1.3: redirect_uri is then required, and equal, at the token endpoint. */
	redirectUriSent: boolean;
	state?: string;
	scope?: string;
	challenge?: string;
	method?: 'S256' | 'plain';
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Entra ID allows client assertions of at most 10 minutes. */
const MAX_CLIENT_ASSERTION_LIFETIME = 600;
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
const SKEW = 60;
const MAX_ASSERTION_LIFETIME = 3600;
const CODE_LIFETIME_MS = 10 * 60_000;
const GRANTS = new Set(['password', 'client_credentials', 'refresh_token', 'authorization_code', JWT_BEARER]);

const randomToken = () => randomBytes(24).toString('base64url');
const oauthError = (status: number, error: string, description?: string, headers?: OutgoingHttpHeaders): Reply => ({
	status,
	body: description ? { error, error_description: description } : { error },
	headers,
});
const invalidClient = (description: string) =>
	oauthError(401, 'invalid_client', description, { 'www-authenticate': 'Basic realm="rig-oauth2"' });
const invalidGrant = (description: string) => oauthError(400, 'invalid_grant', description);

/** RFC 6749 2.3.1: id and secret are form-urlencoded before base64. Undecodable → undefined. */
function formDecode(text: string): string | undefined {
	try {
		return decodeURIComponent(text.replace(/\+/g, ' '));
	} catch {
		return undefined;
	}
}

function toKey(key: JwtIssuer['publicKey']): KeyObject {
	if (typeof key === 'string') return createPublicKey(key); // SPKI PEM or certificate
	if (key instanceof KeyObject) return key.type === 'private' ? createPublicKey(key) : key;
	return createPublicKey({ key, format: 'jwk' });
}

const PAGE_STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f5f8;color:#1f2430;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border-radius:12px;box-shadow:0 8px 28px rgba(20,24,40,.12);padding:32px 36px;width:340px}
h1{font-size:22px;margin:0 0 8px}p{font-size:14px;line-height:1.45;margin:0 0 16px;color:#4a5060}
label{display:block;font-size:13px;font-weight:600;margin:14px 0 6px}
input{box-sizing:border-box;width:100%;padding:10px 12px;border:1px solid #cfd3dc;border-radius:8px;font-size:15px}
input:focus{outline:2px solid #6b5cff;border-color:#6b5cff}
button{margin-top:22px;width:100%;padding:11px;border:0;border-radius:8px;background:#6b5cff;color:#fff;font-size:15px;font-weight:600;cursor:pointer}
.hint{background:#eef0ff;border-radius:8px;padding:10px 12px;font-size:13px}.error{background:#fdecec;color:#a01919;border-radius:8px;padding:10px 12px}`;

function loginPage(req: AuthRequest, requestId: string, error?: string, hint?: { username: string; password: string }): string {
	return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in - Rig OAuth2</title><style>${PAGE_STYLE}</style></head>
<body><main>
<h1>Sign in</h1>
<p>Application <b>${escapeHtml(req.clientId)}</b> asks for access${req.scope ? ` to <i>${escapeHtml(req.scope)}</i>` : ''}.</p>
${hint ? `<p class="hint">Demo login: <b>${escapeHtml(hint.username)}</b> / <b>${escapeHtml(hint.password)}</b></p>` : ''}
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/authorize">
<input type="hidden" name="request_id" value="${requestId}">
<label for="username">Username</label><input id="username" name="username" autocomplete="username" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button>
</form>
</main></body></html>`;
}

const errorPage = (message: string) =>
	`<!doctype html><html><head><meta charset="utf-8"><title>Authorization error</title></head><body><h1>Authorization error</h1><p>${escapeHtml(message)}</p></body></html>`;

export async function startOAuth2Server(options: OAuth2ServerOptions = {}): Promise<OAuth2Server> {
	const clients = options.clients ?? [];
	const users = options.users ?? [];
	const issuers = (options.jwtIssuers ?? []).map((i) => ({ ...i, key: toKey(i.publicKey) }));
	const issueRefreshTokens = options.issueRefreshTokens ?? true;
	let lifetime = options.lifetime ?? 3600;
	let fault: OAuth2Fault = 'none';
	let faultsLeft = Infinity;

	const accessTokens = new Map<string, Grant & { expiresAt: number }>();
	const refreshTokens = new Map<string, Grant>();
	const codes = new Map<string, AuthRequest & { sub: string; expiresAt: number }>();
	const pending = new Map<string, AuthRequest>();

	const findUser = (username: unknown, password: unknown) => users.find((u) => u.username === username && u.password === password);

	function issueAccess(grant: Grant): string {
		const token = randomToken();
		accessTokens.set(token, { ...grant, expiresAt: Date.now() + lifetime * 1000 });
		return token;
	}

	function tokenResponse(grant: Grant, withRefresh: boolean): Reply {
		const body: Record<string, unknown> = { access_token: issueAccess(grant), token_type: 'Bearer', expires_in: lifetime };
		if (withRefresh && issueRefreshTokens) {
			const refresh = randomToken();
			refreshTokens.set(refresh, grant);
			body.refresh_token = refresh;
		}
		if (grant.scope) body.scope = grant.scope;
		return { status: 200, body };
	}

	function validate(token: string): TokenInfo {
		const entry = accessTokens.get(token);
		if (!entry) return { active: false, expired: false };
		const expired = Date.now() >= entry.expiresAt;
		return { active: !expired, expired, scope: entry.scope, sub: entry.sub, clientId: entry.clientId };
	}

	/** The fault to apply to this request, if any. */
	function takeFault(): OAuth2Fault {
		if (fault === 'none') return fault;
		const current = fault;
		if (--faultsLeft <= 0) fault = 'none';
		return current;
	}

	function sendFault(res: ServerResponse, f: OAuth2Fault, noToken: unknown): void {
		if (f === 500) sendJson(res, 500, { error: 'server_error' });
		else if (f === 'html')
			send(res, 200, 'text/html; charset=utf-8', '<!doctype html><html><body><h1>Down for maintenance</h1></body></html>');
		else if (f === 'non-json') send(res, 200, 'text/plain; charset=utf-8', 'this is not json {');
		else if (f === 'no-token') sendJson(res, 200, noToken);
		// 'timeout': no answer; close() destroys the connection.
	}

	// ---- client authentication (RFC 6749 2.3) ----

	type ClientAuth = { mode: TokenLogEntry['clientAuth']; client?: OAuth2Client; confidential: boolean; error?: Reply };

	const usedJtis = new Set<string>();

	/** private_key_jwt: every check of RFC 7523 2.2 and 3, each refusal with its own reason. */
	async function assertedClient(params: Record<string, string>): Promise<ClientAuth> {
		const mode = 'private_key_jwt' as const;
		const refuse = (reason: string): ClientAuth => ({ mode, confidential: false, error: invalidClient(reason) });
		if (params.client_assertion_type !== CLIENT_ASSERTION_TYPE) return refuse(`unsupported client_assertion_type`);
		if (params.client_secret !== undefined) {
			return { mode, confidential: false, error: oauthError(400, 'invalid_request', 'more than one client authentication method') };
		}
		const assertion = params.client_assertion ?? '';
		let claims: JWTPayload;
		let header: JWSHeaderParameters;
		try {
			claims = decodeJwt(assertion);
			header = decodeProtectedHeader(assertion) as JWSHeaderParameters;
		} catch (error) {
			return refuse(`malformed client assertion: ${(error as Error).message}`);
		}
		const client = clients.find((c) => c.id === claims.iss);
		if (!client?.assertionKey) return refuse(`unknown client ${JSON.stringify(claims.iss ?? null)} or no key registered`);
		if (params.client_id !== undefined && params.client_id !== client.id) return refuse('client_id differs from the assertion issuer');
		try {
			await compactVerify(assertion, toKey(client.assertionKey), { algorithms: ALGORITHMS });
		} catch (error) {
			return refuse(error instanceof errors.JOSEAlgNotAllowed ? 'algorithm not allowed' : 'bad client assertion signature');
		}
		server.lastClientAssertion = { header, payload: claims };
		if (client.certificate) {
			const registered = new X509Certificate(client.certificate);
			const thumbprint = createHash('sha256').update(registered.raw).digest('base64url');
			const named = header['x5t#S256'];
			if (named === undefined && client.requireThumbprint) return refuse('x5t#S256 missing: the certificate is not named');
			if (named !== undefined && named !== thumbprint) return refuse('x5t#S256 does not match the registered certificate');
			if (Date.parse(registered.validTo) <= Date.now()) return refuse('the registered certificate has expired');
		}
		const now = Math.floor(Date.now() / 1000);
		if (claims.sub !== client.id) return refuse(`sub must be the client ID, got ${JSON.stringify(claims.sub ?? null)}`);
		const aud = claims.aud;
		if (!(Array.isArray(aud) ? aud.includes(server.audience) : aud === server.audience)) {
			return refuse(`wrong audience: expected "${server.audience}", got ${JSON.stringify(aud ?? null)}`);
		}
		if (typeof claims.exp !== 'number') return refuse('missing exp');
		if (claims.exp <= now) return refuse('client assertion expired');
		if (claims.exp - now > MAX_CLIENT_ASSERTION_LIFETIME) return refuse('client assertion lifetime too long (over 10 minutes)');
		if (typeof claims.jti !== 'string' || !claims.jti) return refuse('missing jti');
		if (usedJtis.has(claims.jti)) return refuse('jti already used (replayed client assertion)');
		usedJtis.add(claims.jti);
		return { mode, client, confidential: true };
	}

	/** tls_client_auth: the client is the one whose registered certificate the TLS layer saw. */
	function certificateClient(params: Record<string, string>, socket: IncomingMessage['socket']): ClientAuth {
		const mode = 'tls_client_auth' as const;
		const client = clients.find((c) => c.id === params.client_id);
		if (!client?.certificate) return { mode, confidential: false, error: invalidClient(`unknown client "${params.client_id}"`) };
		const presented = (socket as TLSSocket).getPeerCertificate?.();
		if (!presented?.raw) return { mode, confidential: false, error: invalidClient('no client certificate presented') };
		const registered = new X509Certificate(client.certificate);
		if (!presented.raw.equals(registered.raw)) {
			return { mode, confidential: false, error: invalidClient('the client certificate is not the registered one') };
		}
		return { mode, client, confidential: true };
	}

	async function authenticateClient(params: Record<string, string>, req: IncomingMessage): Promise<ClientAuth> {
		if (params.client_assertion !== undefined || params.client_assertion_type !== undefined) return await assertedClient(params);
		const authorization = req.headers.authorization;
		const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization ?? '');
		let mode: ClientAuth['mode'] = 'none';
		let id = params.client_id;
		let secret: string | undefined;
		if (basic) {
			mode = 'basic';
			const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			const basicId = colon < 0 ? undefined : formDecode(decoded.slice(0, colon));
			secret = colon < 0 ? undefined : formDecode(decoded.slice(colon + 1));
			if (basicId === undefined || secret === undefined) {
				return { mode, confidential: false, error: invalidClient('malformed Basic credentials') };
			}
			if (params.client_secret !== undefined) {
				return { mode, confidential: false, error: oauthError(400, 'invalid_request', 'more than one client authentication method') };
			}
			if (id !== undefined && id !== basicId) {
				return { mode, confidential: false, error: invalidClient('client_id differs from the Basic credentials') };
			}
			id = basicId;
		} else if (params.client_secret !== undefined) {
			mode = 'body';
			secret = params.client_secret;
		}
		if (id === undefined) return { mode, confidential: false };
		const client = clients.find((c) => c.id === id);
		if (mode === 'none' && client && client.secret === undefined && client.certificate && !client.assertionKey) {
			return certificateClient(params, req.socket);
		}
		if (!client) return { mode, confidential: false, error: invalidClient(`unknown client "${id}"`) };
		if (client.secret === undefined) {
			if (secret) return { mode, confidential: false, error: invalidClient('public client sent a secret') };
			return { mode, client, confidential: false };
		}
		if (secret !== client.secret) {
			return { mode, confidential: false, error: invalidClient(secret ? 'wrong client secret' : 'client secret missing') };
		}
		return { mode, client, confidential: true };
	}

	// ---- grants ----

	async function jwtBearer(params: Record<string, string>, client: OAuth2Client | undefined): Promise<Reply> {
		const assertion = params.assertion;
		if (!assertion) return oauthError(400, 'invalid_request', 'missing assertion');
		let claims: JWTPayload;
		try {
			claims = decodeJwt(assertion);
		} catch (error) {
			return invalidGrant(`malformed assertion: ${(error as Error).message}`);
		}
		const issuer = issuers.find((i) => i.issuer === claims.iss);
		if (!issuer) return invalidGrant(`unknown issuer ${JSON.stringify(claims.iss ?? null)}`);
		// compactVerify checks only the signature, so each claim failure below gets its own reason.
		let header: JWSHeaderParameters;
		try {
			({ protectedHeader: header } = await compactVerify(assertion, issuer.key, { algorithms: ALGORITHMS }));
		} catch (error) {
			if (error instanceof errors.JOSEAlgNotAllowed) return invalidGrant(`algorithm not allowed (bad signature algorithm)`);
			if (error instanceof errors.JWSSignatureVerificationFailed) return invalidGrant('bad signature');
			return invalidGrant(`bad signature (${(error as Error).message})`);
		}
		server.lastAssertion = { header, payload: claims };
		// RFC 7523 3: the subject is required (a service acting for itself names itself).
		if (typeof claims.sub !== 'string' || !claims.sub) return invalidGrant("'sub' claim is expected to be a string");

		const now = Math.floor(Date.now() / 1000);
		const expected = server.audience;
		const aud = claims.aud;
		if (!(Array.isArray(aud) ? aud.includes(expected) : aud === expected)) {
			return invalidGrant(`wrong audience: expected "${expected}", got ${JSON.stringify(aud ?? null)}`);
		}
		if (typeof claims.exp !== 'number') return invalidGrant('missing exp');
		if (claims.exp <= now) return invalidGrant('expired');
		if (typeof claims.iat !== 'number') return invalidGrant('missing iat');
		if (claims.iat > now + SKEW) return invalidGrant('iat in the future');
		if (claims.exp - claims.iat > MAX_ASSERTION_LIFETIME) return invalidGrant('lifetime too long (exp more than 1 hour after iat)');
		if (typeof claims.nbf === 'number' && claims.nbf > now + SKEW) return invalidGrant('not yet valid (nbf)');
		if (issuer.subject !== undefined && claims.sub !== issuer.subject) {
			return invalidGrant(`wrong subject: expected "${issuer.subject}", got ${JSON.stringify(claims.sub ?? null)}`);
		}
		const scope = params.scope ?? (typeof claims.scope === 'string' ? claims.scope : undefined);
		// RFC 7523: no refresh token; a new assertion is cheap.
		return tokenResponse({ sub: claims.sub ?? issuer.issuer, scope, clientId: client?.id ?? issuer.issuer }, false);
	}

	function authorizationCode(params: Record<string, string>, client: OAuth2Client): Reply {
		const code = params.code ? codes.get(params.code) : undefined;
		if (!code) return invalidGrant('invalid, used or expired code');
		codes.delete(params.code); // single use
		if (Date.now() > code.expiresAt) return invalidGrant('invalid, used or expired code');
		if (code.clientId !== client.id) return invalidGrant('code was issued to another client');
		if (code.redirectUriSent && params.redirect_uri !== code.redirectUri) return invalidGrant('redirect_uri mismatch');
		const verifier = params.code_verifier;
		if (code.challenge === undefined) {
			if (verifier !== undefined) return invalidGrant('code_verifier sent but no code_challenge was');
		} else {
			if (verifier === undefined) return invalidGrant('missing code_verifier (PKCE)');
			if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier))
				return invalidGrant('code_verifier must be 43-128 unreserved characters (RFC 7636)');
			const computed = code.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
			if (computed !== code.challenge) return invalidGrant('PKCE verification failed: code_verifier does not match code_challenge');
		}
		return tokenResponse({ sub: code.sub, scope: code.scope, clientId: client.id }, true);
	}

	async function grant(params: Record<string, string>, auth: ClientAuth): Promise<Reply> {
		const type = params.grant_type;
		if (!type) return oauthError(400, 'invalid_request', 'missing grant_type');
		if (!GRANTS.has(type)) return oauthError(400, 'unsupported_grant_type', `unsupported grant_type "${type}"`);
		if (auth.error) return auth.error;
		const client = auth.client;
		if (type === JWT_BEARER) return jwtBearer(params, client); // RFC 7523: client auth optional
		if (!client) return invalidClient('client authentication required');
		if (!auth.confidential && type === 'client_credentials')
			return oauthError(400, 'unauthorized_client', 'public clients cannot use client_credentials');

		switch (type) {
			case 'password': {
				if (params.username === undefined || params.password === undefined) {
					return oauthError(400, 'invalid_request', 'username and password are required');
				}
				const user = findUser(params.username, params.password);
				if (!user) return invalidGrant('Invalid username or password');
				return tokenResponse({ sub: user.username, scope: params.scope, clientId: client.id }, true);
			}
			case 'client_credentials':
				// RFC 6749 4.4.3: no refresh token.
				return tokenResponse({ sub: client.id, scope: params.scope, clientId: client.id }, false);
			case 'refresh_token': {
				const old = params.refresh_token ? refreshTokens.get(params.refresh_token) : undefined;
				if (!old) return invalidGrant('invalid or revoked refresh token');
				if (old.clientId !== client.id) return invalidGrant('refresh token was issued to another client');
				refreshTokens.delete(params.refresh_token); // rotation
				return tokenResponse({ ...old, scope: params.scope ?? old.scope }, true);
			}
			default:
				return authorizationCode(params, client);
		}
	}

	/** Form (or JSON) body as string parameters; undefined when neither. */
	function formOrJson(req: IncomingMessage, raw: Buffer): Record<string, string> | undefined {
		const type = (req.headers['content-type'] ?? '').toLowerCase();
		const text = raw.toString('utf8');
		if (type.startsWith('application/x-www-form-urlencoded')) {
			const params = paramsToObject(new URLSearchParams(text));
			// A repeated parameter is an error (RFC 6749 3.1); keep the first and let checks fail on it.
			return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
		}
		if (type.includes('json')) {
			try {
				const json = JSON.parse(text) as Record<string, unknown>;
				if (!json || typeof json !== 'object') return undefined;
				return Object.fromEntries(
					Object.entries(json)
						.filter(([, v]) => v !== null && v !== undefined)
						.map(([k, v]) => [k, String(v)]),
				);
			} catch {
				return undefined;
			}
		}
		return undefined;
	}

	// ---- endpoints ----

	async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const raw = await readBody(req);
		server.counts.total++;
		const params = formOrJson(req, raw);
		const type = params?.grant_type ?? '(none)';
		server.counts[type] = (server.counts[type] ?? 0) + 1;
		if (params) server.lastTokenParams = params;
		const auth = params ? await authenticateClient(params, req) : { mode: 'none' as const, confidential: false };
		const f = takeFault();
		const entry = { grant_type: type, clientAuth: auth.mode, at: Date.now() };
		if (f !== 'none') {
			server.log.push({ ...entry, ok: false, status: f === 500 ? 500 : 200, error: `fault:${f}` });
			return sendFault(res, f, { token_type: 'Bearer', expires_in: lifetime });
		}
		const reply = params
			? await grant(params, auth)
			: oauthError(400, 'invalid_request', 'body must be application/x-www-form-urlencoded (or JSON)');
		const body = reply.body as { error?: string; error_description?: string };
		server.log.push({
			...entry,
			ok: reply.status === 200,
			status: reply.status,
			error: body.error,
			error_description: body.error_description,
		});
		sendJson(res, reply.status, reply.body, { 'cache-control': 'no-store', pragma: 'no-cache', ...reply.headers });
	}

	async function customLogin(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const raw = await readBody(req);
		server.counts.custom++;
		const entry = { grant_type: 'custom', clientAuth: 'none' as const, at: Date.now() };
		const f = takeFault();
		if (f !== 'none') {
			server.log.push({ ...entry, ok: false, status: f === 500 ? 500 : 200, error: `fault:${f}` });
			return sendFault(res, f, { data: { session: { ttl: lifetime } } });
		}
		let body: { user?: unknown; pass?: unknown } = {};
		try {
			body = JSON.parse(raw.toString('utf8'));
		} catch {
			server.log.push({ ...entry, ok: false, status: 400, error: 'not json' });
			return sendJson(res, 400, { message: 'expected a JSON body' });
		}
		const user = findUser(body?.user, body?.pass);
		if (!user) {
			server.log.push({ ...entry, ok: false, status: 401, error: 'bad login' });
			return sendJson(res, 401, { message: 'bad login' });
		}
		server.log.push({ ...entry, ok: true, status: 200 });
		const key = issueAccess({ sub: user.username, clientId: 'custom' });
		sendJson(res, 200, { data: { session: { key, ttl: lifetime } } });
	}

	function authorizeGet(url: URL, res: ServerResponse): void {
		server.counts.authorize++;
		const q = Object.fromEntries(url.searchParams);
		server.lastAuthorizeQuery = q;
		const fail = (message: string) => send(res, 400, 'text/html; charset=utf-8', errorPage(message));
		if (q.response_type !== 'code') return fail(`unsupported response_type "${q.response_type ?? ''}"`);
		const client = clients.find((c) => c.id === q.client_id);
		if (!client) return fail(`unknown client_id "${q.client_id ?? ''}"`);
		const registered = client.redirectUris ?? [];
		const redirectUri = q.redirect_uri ?? (registered.length === 1 ? registered[0] : undefined);
		if (!redirectUri) return fail('redirect_uri is required');
		if (client.redirectUris && !registered.includes(redirectUri)) return fail(`redirect_uri "${redirectUri}" is not registered`);
		const method = q.code_challenge_method ?? (q.code_challenge ? 'plain' : undefined); // RFC 7636 4.3 default
		if (method !== undefined && method !== 'S256' && method !== 'plain') return fail(`unsupported code_challenge_method "${method}"`);
		if (method && !q.code_challenge) return fail('code_challenge_method without code_challenge');
		if (client.secret === undefined && !q.code_challenge) return fail('PKCE is required for public clients');
		const request: AuthRequest = {
			clientId: client.id,
			redirectUri,
			redirectUriSent: q.redirect_uri !== undefined,
			state: q.state,
			scope: q.scope,
			challenge: q.code_challenge,
			method: method as AuthRequest['method'],
		};
		const requestId = randomToken();
		pending.set(requestId, request);
		send(res, 200, 'text/html; charset=utf-8', loginPage(request, requestId, undefined, options.loginHint));
	}

	async function authorizePost(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const form = new URLSearchParams((await readBody(req)).toString('utf8'));
		const requestId = form.get('request_id') ?? '';
		const request = pending.get(requestId);
		if (!request) return send(res, 400, 'text/html; charset=utf-8', errorPage('unknown or already used authorization request'));
		const user = findUser(form.get('username'), form.get('password'));
		if (!user)
			return send(res, 200, 'text/html; charset=utf-8', loginPage(request, requestId, 'Invalid username or password', options.loginHint));
		pending.delete(requestId);
		const code = randomToken();
		codes.set(code, { ...request, sub: user.username, expiresAt: Date.now() + CODE_LIFETIME_MS });
		const target = new URL(request.redirectUri);
		target.searchParams.set('code', code);
		if (request.state !== undefined) target.searchParams.set('state', request.state);
		res.writeHead(302, { location: target.toString(), 'cache-control': 'no-store', 'content-length': 0 });
		res.end();
	}

	function api(req: IncomingMessage, url: URL, res: ServerResponse): void {
		server.counts.api++;
		const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
		const info = validate(bearer ?? url.searchParams.get('access_token') ?? '');
		if (!info.active) {
			return sendJson(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
		}
		sendJson(res, 200, { sub: info.sub, scope: info.scope, clientId: info.clientId });
	}

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://rig');
		const route = `${req.method} ${url.pathname}`;
		if (route === 'POST /token') return token(req, res);
		if (route === 'POST /custom/login') return customLogin(req, res);
		if (route === 'GET /authorize') return authorizeGet(url, res);
		if (route === 'POST /authorize') return authorizePost(req, res);
		if (route === 'GET /api/me') return api(req, url, res);
		sendJson(res, url.pathname === '/token' ? 405 : 404, { error: 'not found', route });
	}

	const listening = await listen(
		options.tls ?? 'none',
		(req, res) => {
			handle(req, res).catch((error: Error) => {
				if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: error.message });
			});
		},
		options.serverCert,
	);
	const { url } = listening;

	const server: OAuth2Server = {
		url,
		port: listening.port,
		tokenUrl: `${url}/token`,
		authorizeUrl: `${url}/authorize`,
		customLoginUrl: `${url}/custom/login`,
		apiUrl: `${url}/api/me`,
		audience: options.audience ?? `${url}/token`,
		counts: { total: 0, custom: 0, api: 0, authorize: 0 },
		log: [],
		setFault(f, times = Infinity) {
			fault = f;
			faultsLeft = times;
		},
		setLifetime(seconds) {
			lifetime = seconds;
		},
		revokeAll: () => accessTokens.clear(),
		expireAll() {
			for (const entry of accessTokens.values()) entry.expiresAt = 0;
		},
		validate,
		issueAccessToken: (g) => issueAccess(g),
		close: () => listening.close(),
	};
	return server;
}
