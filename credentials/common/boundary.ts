import { UserError, type ICredentialDataDecryptedObject, type IHttpRequestOptions } from 'n8n-workflow';

import { displayUrl } from './messages';

// The one place that decides whether anything secret may go with a request.
//
// A credential belongs to one origin (scheme, host and port): its Base URL's when it has one,
// else the origin of the URL it was first asked to call (for token requests: the token URL's).
// Its "Allowed HTTP Request Domains" narrow that further. Every path asks `carriesSecrets`
// before every request: a node's first call, each redirect hop, each page, the Test button's
// request and its redirects, token requests and theirs. The answer compares with the
// credential's own origin, never with the previous hop.

export interface Boundary {
	/** The origin secrets may go to, e.g. "https://api.example.com". */
	readonly origin: string;
	/** Host patterns from the credential's Allowed HTTP Request Domains, when it lists some. */
	readonly domains?: readonly string[];
}

function parse(url: string | undefined): URL | undefined {
	if (!url || !URL.canParse(url)) return undefined;
	const parsed = new URL(url);
	return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
}

/** The origin of a URL, or undefined when it is not an absolute http(s) URL. */
export function originOf(url: string | undefined): string | undefined {
	return parse(url)?.origin;
}

/** A comma-separated domain list as n8n reads it: trimmed, lower case, without a trailing dot. */
export function domainList(list: string): string[] {
	return list
		.split(',')
		.map((domain) => domain.trim().toLowerCase().replace(/\.$/, ''))
		.filter(Boolean);
}

/** The credential's "Specific Domains" list, when it has one (n8n 2.x adds these fields). */
export function allowedDomainsOf(data: ICredentialDataDecryptedObject): string[] | undefined {
	if (data.allowedHttpRequestDomains !== 'domains') return undefined;
	return domainList(String(data.allowedDomains ?? ''));
}

/** n8n's matching: exact host, or `*.example.com` for its subdomains (never the bare domain). */
function hostAllowed(host: string, domains: readonly string[]): boolean {
	return domains.some((domain) => (domain.startsWith('*.') ? host.endsWith(domain.slice(1)) : host === domain));
}

/**
 * The boundary of a credential for a call to `url`: its Base URL's origin, or `url`'s own.
 * Throws when neither is an absolute http(s) URL.
 */
export function boundaryOf(data: ICredentialDataDecryptedObject, url: string, domains = allowedDomainsOf(data)): Boundary {
	const origin = originOf(String(data.baseUrl ?? '').trim()) ?? originOf(url);
	if (!origin) throw new UserError(`${displayUrl(url)} is not an absolute http(s) URL: the credential cannot be placed.`);
	return { origin, ...(domains ? { domains } : {}) };
}

/** Whether secrets may be attached to a request to `url`. */
export function carriesSecrets(boundary: Boundary, url: string): boolean {
	const parsed = parse(url);
	if (!parsed || parsed.origin !== boundary.origin) return false;
	return !boundary.domains || hostAllowed(parsed.hostname.replace(/\.$/, ''), boundary.domains);
}

/** Why `url` is outside the boundary, as a sentence for an error message. */
export function outsideReason(boundary: Boundary, url: string): string {
	const origin = originOf(url) ?? '(an invalid URL)';
	if (origin === boundary.origin) {
		return `${origin} is not in the credential's Allowed HTTP Request Domains (${boundary.domains?.join(', ')})`;
	}
	return `${origin} is not the credential's origin ${boundary.origin}`;
}

/**
 * Wraps a credential's authenticate(): secrets are attached only to a URL inside the
 * credential's boundary, and n8n's request layer never follows a redirect while they are
 * attached (it would compare each hop with the previous one, and keep custom headers and the
 * query string). Configured API Call follows redirects itself, asking the boundary at each hop.
 */
export function guardedAuthenticate(
	apply: (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions) => Promise<IHttpRequestOptions>,
) {
	return async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> => {
		const url = requestUrl(requestOptions);
		const boundary = boundaryOf(credentials, url);
		if (!carriesSecrets(boundary, url)) {
			throw new UserError(
				`The credential was not sent: ${outsideReason(boundary, url)}. Call a URL on ${boundary.origin}, or change the credential's Base URL or Allowed HTTP Request Domains.`,
			);
		}
		// n8n's HTTP Request node sends through the legacy request helper, which reads
		// followRedirect/followAllRedirects instead of disableFollowRedirect.
		return {
			...(await apply(credentials, requestOptions)),
			disableFollowRedirect: true,
			followRedirect: false,
			followAllRedirects: false,
		} as IHttpRequestOptions;
	};
}

/**
 * The absolute URL of a request: n8n's request options may split it into baseURL and url, and
 * the legacy request helper (n8n's HTTP Request node) calls it uri.
 */
export function requestUrl(options: Pick<IHttpRequestOptions, 'url' | 'baseURL'> & { uri?: unknown }): string {
	const url = String(options.url || options.uri || '');
	if (options.baseURL && !/^https?:\/\//i.test(url)) {
		return `${String(options.baseURL).replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
	}
	return url;
}
