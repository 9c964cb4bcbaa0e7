import {
	getCredentialAllowedDomains,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import { withEnvironment, type Environment } from '../../credentials/common/apiKeys';
import { kindOf, secretValues, tokenInputsOf, type CredentialKind } from '../../credentials/common/catalog';
import { tokenFingerprint } from '../../credentials/common/tokenCredential';
import { tokenDue } from '../../credentials/common/tokens';

// One execution's access to an API through one credential. The credential is read once; every
// call goes through n8n's own network layer (proxy, SSRF guard, allowed domains); a token is
// refreshed before it expires by exactly one call while the others wait for it.

const OAUTH2_REFRESH_MARGIN_MS = 60_000;

const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface FullResponse {
	statusCode: number;
	headers: Record<string, string>;
}

function statusCodes(text: unknown, fallback: number[]): number[] {
	const codes = String(text ?? '')
		.split(',')
		.map((code) => Number(code.trim()))
		.filter((code) => Number.isInteger(code) && code >= 400 && code < 600);
	return codes.length ? codes : fallback;
}

export class CallSession {
	readonly kind: CredentialKind;

	/** Status codes after which n8n refreshes the credential and sends the call once more. */
	readonly refreshOn: number[];

	private refreshing: Promise<void> | undefined;

	private tokenFailure: unknown;

	private constructor(
		private readonly ctx: IExecuteFunctions,
		readonly credentialType: string | undefined,
		private readonly decrypted: ICredentialsDecrypted | undefined,
		private readonly allowedDomains: string | undefined,
	) {
		this.kind = kindOf(credentialType);
		const data = decrypted?.data ?? {};
		this.refreshOn = this.kind === 'token' || this.kind === 'oauth2' ? statusCodes(data.refreshOnStatus, [401]) : [];
	}

	static async open(
		ctx: IExecuteFunctions,
		credentialType: string | undefined,
		environment: Environment = 'live',
		surface = 'Configured API Call',
	): Promise<CallSession> {
		if (!credentialType || credentialType === 'none') return new CallSession(ctx, undefined, undefined, undefined);
		const stored = (await ctx.getCredentials(credentialType)) as ICredentialDataDecryptedObject;
		const node = ctx.getNode();
		const reference = node.credentials?.[credentialType];
		const data = kindOf(credentialType) === 'key' ? withEnvironment(stored, environment) : { ...stored };
		const decrypted = { id: reference?.id ?? '', name: reference?.name ?? '', type: credentialType, data };
		// n8n 2.x lets a credential restrict the hosts it may be sent to; a programmatic node
		// has to pass that list on itself.
		const allowedDomains =
			typeof getCredentialAllowedDomains === 'function'
				? getCredentialAllowedDomains({ node, credentialData: stored, surface })
				: undefined;
		const session = new CallSession(ctx, credentialType, decrypted, allowedDomains);
		await session.refreshOAuth2IfDue();
		return session;
	}

	/** Whether calls present a client certificate. */
	get clientCertificate(): boolean {
		const data = this.credentialData;
		return data.useTls === true && ['pem', 'pfx'].includes(data.clientCertificateFormat as string);
	}

	/**
	 * The credential's secret values (as they are now: a refreshed token included), to blank out
	 * of any message that quotes an API's answer.
	 */
	get secrets(): string[] {
		return secretValues(this.credentialData);
	}

	/** The credential's stored data (decrypted), for settings such as its Base URL. */
	get credentialData(): ICredentialDataDecryptedObject {
		return this.decrypted?.data ?? {};
	}

	async send(options: IHttpRequestOptions): Promise<unknown> {
		options.sendCredentialsOnCrossOriginRedirect = false;
		if (this.allowedDomains !== undefined) options.allowedDomains = this.allowedDomains;
		if (!this.credentialType) return await this.ctx.helpers.httpRequest(options);
		if (options.disableFollowRedirect || !options.returnFullResponse) return await this.authenticated(options);
		return await this.followRedirects(options);
	}

	/**
	 * n8n's request layer keeps custom headers (an X-API-Key) and the query string on a redirect to
	 * another host. So redirects of authenticated calls are followed here: same origin with the
	 * credential, another origin without it.
	 */
	private async followRedirects(options: IHttpRequestOptions): Promise<unknown> {
		let request: IHttpRequestOptions = { ...options, disableFollowRedirect: true };
		let response = (await this.authenticated({ ...request, headers: { ...request.headers } })) as FullResponse;
		for (let hop = 0; hop < MAX_REDIRECTS && REDIRECTS.has(response.statusCode); hop++) {
			const location = response.headers?.location;
			if (!location) break;
			const next = new URL(location, request.url);
			const sameOrigin = next.origin === new URL(request.url).origin;
			const keepsMethod = response.statusCode === 307 || response.statusCode === 308 || request.method === 'HEAD';
			request = {
				...request,
				url: next.toString(),
				qs: undefined,
				...(keepsMethod ? {} : { method: 'GET', body: undefined }),
			};
			response = (await (sameOrigin
				? this.authenticated({ ...request, headers: { ...request.headers } })
				: this.ctx.helpers.httpRequest({ ...request, headers: { ...request.headers } }))) as FullResponse;
		}
		return response;
	}

	/** One call with the credential applied, on a copy of the options: n8n changes those it gets. */
	private async authenticated(options: IHttpRequestOptions): Promise<unknown> {
		if (this.kind !== 'token') return await this.call(options);
		while (this.refreshing) await this.refreshing;
		if (this.tokenFailure) throw this.tokenFailure;
		if (!this.tokenIsDue()) return await this.call(options);
		// This call fetches the token (n8n runs preAuthentication on an empty one and stores
		// what it returns); the calls that come meanwhile wait instead of fetching their own.
		const data = this.credentialData;
		data.accessToken = '';
		let release!: () => void;
		this.refreshing = new Promise((resolve) => (release = resolve));
		const outcome = await this.call(options).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		this.refreshing = undefined;
		release();
		if ('error' in outcome) {
			// No token came back: the token endpoint failed. Every other call of this execution
			// would fail the same way, so they fail at once instead of asking again.
			if (!data.accessToken) this.tokenFailure = outcome.error;
			throw outcome.error;
		}
		return outcome.value;
	}

	private tokenIsDue(): boolean {
		const data = this.credentialData;
		const inputs = tokenInputsOf(this.credentialType as string);
		return inputs ? tokenDue(data, tokenFingerprint(data, inputs)) : false;
	}

	private async call(options: IHttpRequestOptions): Promise<unknown> {
		const type = this.credentialType as string;
		if (this.kind === 'oauth2') {
			return await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, type, options);
		}
		return await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, type, options, {
			credentialsDecrypted: this.decrypted,
			preAuthenticationRetryStatusCode: this.refreshOn,
		});
	}

	/**
	 * n8n refreshes an authorization-code token only after a refused call. When the stored
	 * token says it expires within a minute, refresh it once before the calls start.
	 */
	private async refreshOAuth2IfDue() {
		if (this.kind !== 'oauth2') return;
		const tokenData = (this.credentialData.oauthTokenData ?? {}) as Record<string, unknown>;
		const expiresAt = Number(tokenData.n8n_expires_at);
		const helpers = this.ctx.helpers as { refreshOAuth2Token?: (type: string) => Promise<unknown> };
		if (!Number.isFinite(expiresAt) || typeof helpers.refreshOAuth2Token !== 'function') return;
		if (Date.now() + OAUTH2_REFRESH_MARGIN_MS < expiresAt) return;
		await helpers.refreshOAuth2Token.call(this.ctx, this.credentialType as string);
	}
}
