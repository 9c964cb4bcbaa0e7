import {
	getCredentialAllowedDomains,
	UserError,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
} from 'n8n-workflow';

import { withEnvironment, type Environment } from '../../credentials/common/apiKeys';
import { boundaryOf, carriesSecrets, domainList, outsideReason, type Boundary } from '../../credentials/common/boundary';
import { freshRefusalHint, kindOf, secretValues, type CredentialKind } from '../../credentials/common/catalog';
import { displayUrl } from '../../credentials/common/messages';
import { bindExecution, TokenKeeper, tokenInputs, type ExecutionBinding } from '../../credentials/common/tokens';
import { answerUnlessAborted, CancelledError, deadline, discard, sendFollowing, type Answer } from '../../credentials/common/transport';
import { credentialType as credentialTypeOf } from './credentialTypes';

// One execution's access to an API through one credential. The credential is read once; every
// call goes through n8n's own network layer (proxy, SSRF guard, allowed domains) one hop at a
// time, and the boundary decides at each hop whether the credential goes with it. A token is
// refreshed before it expires by exactly one call while the others wait for it, and after a
// refused call at most once: a token the API refuses when fresh is not fetched again.

const OAUTH2_REFRESH_MARGIN_MS = 60_000;

/** A node context that can call: an execution, or a list search in the editor. */
type Context = IExecuteFunctions | ILoadOptionsFunctions;

export interface CallPolicy {
	/** Deadline of the whole call: every hop and the body. */
	timeoutMs: number;
	followRedirects: boolean;
	/** A hop or page outside the credential's origin: go on without the credential, or stop. */
	crossOrigin: 'strip' | 'error';
}

/** A call's answer; its body is an unread stream, bound by the same deadline. */
export interface CallAnswer extends Answer {
	/** Whether the deadline (not Stop) ended the call, once reading the body failed. */
	expired: () => boolean;
}

function statusCodes(text: unknown, fallback: number[]): number[] {
	const codes = String(text ?? '')
		.split(',')
		.map((code) => Number(code.trim()))
		.filter((code) => Number.isInteger(code) && code >= 400 && code < 600);
	return codes.length ? codes : fallback;
}

/** The API refused a token fetched in this execution: no further token is fetched. */
export class FreshTokenRefusedError extends UserError {}

export class CallSession {
	readonly kind: CredentialKind;

	/** Status codes after which the token is refreshed and the call sent once more. */
	readonly refreshOn: number[];

	/** The execution's Stop, when there is an execution. */
	readonly cancel: AbortSignal | undefined;

	/** The token of a token credential: due, fetched once, fresh (see tokens.ts). */
	private readonly tokens: TokenKeeper | undefined;

	/** How often the authorization-code token was refreshed in this execution, and which were fetched here. */
	private oauthGeneration = 0;

	private readonly oauthFresh = new Set<string>();

	private oauthRefreshing: Promise<void> | undefined;

	/** What the token code learns about this execution (see tokens.ts). */
	readonly binding: ExecutionBinding;

	private refusedFresh: FreshTokenRefusedError | undefined;

	private readonly ctx: Context;

	readonly credentialType: string | undefined;

	private readonly decrypted: ICredentialsDecrypted | undefined;

	private readonly allowedDomains: string | undefined;

	private constructor(
		ctx: Context,
		credentialType: string | undefined,
		decrypted: ICredentialsDecrypted | undefined,
		allowedDomains: string | undefined,
	) {
		this.ctx = ctx;
		this.credentialType = credentialType;
		this.decrypted = decrypted;
		this.allowedDomains = allowedDomains;
		this.kind = kindOf(credentialType);
		const data = decrypted?.data ?? {};
		this.refreshOn = this.kind === 'token' || this.kind === 'oauth2' ? statusCodes(data.refreshOnStatus, [401]) : [];
		this.cancel = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
		this.binding = { credentialId: decrypted?.id ?? '', signal: this.cancel };
		this.tokens =
			this.kind === 'token' && credentialType
				? new TokenKeeper(data, tokenInputs(credentialTypeOf(credentialType).properties), this.binding)
				: undefined;
	}

	/**
	 * Reads the credential once for the execution. `environment` picks a key credential's key,
	 * from the credential as stored when it is a function (Automatic needs to know whether there
	 * is a development key).
	 */
	static async open(
		ctx: Context,
		credentialType: string | undefined,
		environment: Environment | ((stored: ICredentialDataDecryptedObject) => Environment) = 'live',
		surface = 'Configured API Call',
	): Promise<CallSession> {
		if (!credentialType || credentialType === 'none') return new CallSession(ctx, undefined, undefined, undefined);
		const stored = (await ctx.getCredentials(credentialType)) as ICredentialDataDecryptedObject;
		const node = ctx.getNode();
		const reference = node.credentials?.[credentialType];
		const kind = kindOf(credentialType);
		const data =
			kind === 'key' ? withEnvironment(stored, typeof environment === 'function' ? environment(stored) : environment) : { ...stored };
		const decrypted = { id: reference?.id ?? '', name: reference?.name ?? '', type: credentialType, data };
		// n8n 2.x lets a credential restrict the hosts it may be sent to; a programmatic node has
		// to pass that list on itself ("None" blocks this node, as it blocks n8n's HTTP Request node).
		const allowedDomains =
			typeof getCredentialAllowedDomains === 'function'
				? getCredentialAllowedDomains({ node, credentialData: stored, surface })
				: undefined;
		const session = new CallSession(ctx, credentialType, decrypted, allowedDomains);
		// The stored credential as it is now: a queue-mode worker may have just refreshed its token.
		session.binding.reload = async () => (await ctx.getCredentials(credentialType)) as ICredentialDataDecryptedObject;
		bindExecution(data, session.binding);
		await session.refreshOAuth2IfDue();
		return session;
	}

	/** Whether calls present a client certificate. */
	get clientCertificate(): boolean {
		const data = this.credentialData;
		return data.useTls === true && ['pem', 'pfx'].includes(data.clientCertificateFormat as string);
	}

	/** The credential's secret values as they are now (a refreshed token included), to blank out of messages. */
	get secrets(): string[] {
		return secretValues(this.credentialData);
	}

	/** The credential's stored data (decrypted), for settings such as its Base URL. */
	get credentialData(): ICredentialDataDecryptedObject {
		return this.decrypted?.data ?? {};
	}

	/**
	 * The boundary of an item's calls, from its first URL; undefined without a credential.
	 * A first URL outside the credential's Base URL is an error: the credential would not go.
	 */
	boundaryFor(url: string): Boundary | undefined {
		if (!this.credentialType) return undefined;
		// Read as n8n reads it (boundary.ts): a trailing dot names the same domain.
		const domains = this.allowedDomains === undefined ? undefined : domainList(this.allowedDomains);
		const boundary = boundaryOf(this.credentialData, url, domains?.length ? domains : undefined);
		if (!carriesSecrets(boundary, url)) {
			throw new UserError(
				`The credential was not sent: ${outsideReason(boundary, url)}. Call a URL on ${boundary.origin}, or change the credential's Base URL or Allowed HTTP Request Domains.`,
			);
		}
		return boundary;
	}

	/**
	 * One call: sent, redirects followed hop by hop with the credential only inside `boundary`,
	 * under one deadline that also bounds reading the body.
	 */
	async call(request: IHttpRequestOptions, boundary: Boundary | undefined, policy: CallPolicy): Promise<CallAnswer> {
		if (this.cancel?.aborted) throw new CancelledError();
		const { signal, expired } = deadline(policy.timeoutMs, this.cancel);
		const options: IHttpRequestOptions = {
			...request,
			json: false,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: policy.timeoutMs,
			abortSignal: signal,
		};
		const what = `${String(request.method ?? 'GET')} ${displayUrl(request.url)}`;
		let failure: unknown;
		try {
			const answer = await sendFollowing(
				options,
				// n8n's httpRequestWithAuthentication replaces a request's abort signal with the
				// execution's Stop, so the deadline bounds an authenticated hop from outside.
				async (hop, secrets) => (secrets ? await answerUnlessAborted(this.authenticated(hop), signal) : await this.plain(hop)),
				{
					boundary: boundary ?? { origin: '' },
					follow: policy.followRedirects,
					crossOrigin: boundary ? policy.crossOrigin : 'strip',
					what,
					secrets: boundary ? () => this.secrets : undefined,
				},
			);
			return { ...answer, signal, expired };
		} catch (error) {
			failure = error;
		}
		if (this.cancel?.aborted) throw new CancelledError();
		if (expired())
			throw new UserError(`${what} did not finish within ${policy.timeoutMs / 1000} s (the node's Timeout, for the whole answer).`);
		throw failure;
	}

	/** A hop without the credential: no secret, no client certificate. */
	private async plain(options: IHttpRequestOptions): Promise<Answer> {
		return answerOf(options.url, await this.ctx.helpers.httpRequest(options));
	}

	/** A hop with the credential; after a refresh status, one refresh and one more try. */
	private async authenticated(options: IHttpRequestOptions): Promise<Answer> {
		if (this.refusedFresh) throw this.refusedFresh;
		const first = await this.withCredential(options);
		if (!this.refreshOn.includes(first.statusCode)) return first;
		if (this.isFresh(first.token)) return this.refused(first);
		discard(first.body);
		await this.refresh(first.token);
		const second = await this.withCredential(options);
		return this.refreshOn.includes(second.statusCode) ? this.refused(second) : second;
	}

	/** Remembers that the API refuses a fresh token, so that no other call fetches one again. */
	private refused(answer: Answer): Answer {
		const hint =
			freshRefusalHint(this.credentialType) ??
			'Check what the token is valid for (scope, audience, user) and the Refresh Token On Status Codes of the credential.';
		this.refusedFresh ??= new FreshTokenRefusedError(
			`The API refused a freshly obtained token (HTTP ${answer.statusCode} from ${displayUrl(answer.url)}), so no further token was fetched in this execution. ${hint}`,
		);
		return answer;
	}

	private isFresh(token: string | undefined): boolean {
		return this.tokens ? this.tokens.isFresh(token) : token !== undefined && this.oauthFresh.has(token);
	}

	/** Replaces the token `used` (unless another call already did), once for all calls. */
	private async refresh(used: string | undefined): Promise<void> {
		if (this.tokens) return this.tokens.replace(used);
		if (used !== this.oauthToken()) return;
		this.oauthRefreshing ??= this.refreshOAuth2().finally(() => (this.oauthRefreshing = undefined));
		await this.oauthRefreshing;
	}

	private async withCredential(options: IHttpRequestOptions): Promise<Answer & { token?: string }> {
		const type = this.credentialType as string;
		if (this.allowedDomains !== undefined) options = { ...options, allowedDomains: this.allowedDomains };
		if (this.kind === 'oauth2') {
			// n8n keeps this token itself and loads the credential per call.
			while (this.oauthRefreshing) await this.oauthRefreshing;
			const token = this.oauthToken();
			return { ...answerOf(options.url, await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, type, options)), token };
		}
		const send = async () =>
			answerOf(
				options.url,
				await this.ctx.helpers.httpRequestWithAuthentication.call(this.ctx, type, options, { credentialsDecrypted: this.decrypted }),
			);
		if (!this.tokens) return await send();
		const { result, token } = await this.tokens.withToken(send);
		return { ...result, token };
	}

	private async refreshOAuth2(): Promise<void> {
		const helpers = this.ctx.helpers as { refreshOAuth2Token?: (type: string) => Promise<unknown> };
		if (typeof helpers.refreshOAuth2Token !== 'function') return;
		await helpers.refreshOAuth2Token.call(this.ctx, this.credentialType as string);
		this.oauthGeneration++;
		this.oauthFresh.add(this.oauthToken());
	}

	/** n8n keeps the authorization-code token itself: the session knows it by refresh count. */
	private oauthToken(): string {
		return `oauth2:${this.oauthGeneration}`;
	}

	/**
	 * n8n refreshes an authorization-code token only after a refused call. When the stored
	 * token says it expires within a minute, refresh it once before the calls start.
	 */
	private async refreshOAuth2IfDue() {
		if (this.kind !== 'oauth2') return;
		const tokenData = (this.credentialData.oauthTokenData ?? {}) as Record<string, unknown>;
		const expiresAt = Number(tokenData.n8n_expires_at);
		if (!Number.isFinite(expiresAt) || Date.now() + OAUTH2_REFRESH_MARGIN_MS < expiresAt) return;
		await this.refreshOAuth2();
	}
}

function answerOf(url: string, response: unknown): Answer {
	const r = response as Omit<Answer, 'url'>;
	return { url, statusCode: r.statusCode, statusMessage: r.statusMessage, headers: r.headers ?? {}, body: r.body };
}
