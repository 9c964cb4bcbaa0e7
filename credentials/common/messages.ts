// Turning what an HTTP call did into a sentence, without ever quoting a secret.

/** Every form a secret is sent or quoted in: raw, URL- and form-encoded, JSON-escaped, base64. */
function formsOf(secret: string): string[] {
	const json = JSON.stringify(secret).slice(1, -1);
	const base64 = Buffer.from(secret).toString('base64');
	return [
		secret,
		encodeURIComponent(secret),
		new URLSearchParams({ x: secret }).toString().slice(2),
		json,
		JSON.stringify(json).slice(1, -1),
		base64,
		Buffer.from(secret).toString('base64url'),
	].sort((a, b) => b.length - a.length);
}

/** Whether a text holds any of the secrets, in any form they travel in. */
export function containsSecret(text: string, secrets: readonly unknown[]): boolean {
	return secrets.some((secret) => typeof secret === 'string' && secret.length >= 4 && formsOf(secret).some((form) => text.includes(form)));
}

/** Replaces every secret, in every form it travels in, by "***". */
export function redact(text: string, secrets: readonly unknown[]): string {
	let result = text;
	for (const secret of secrets) {
		if (typeof secret !== 'string' || secret.length < 4) continue;
		for (const form of formsOf(secret)) result = result.split(form).join('***');
	}
	return result;
}

/** An API's or a server's text may quote an Authorization header: base64 of "id:secret" cannot be found from the secret alone. */
const quotedAuthorization = (text: string) => text.replace(/\b(Basic|Bearer|Digest)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 ***');

/** A JSON value with every string in it redacted (before it is written as text). */
function redactValue(value: unknown, secrets: unknown[]): unknown {
	if (typeof value === 'string') return quotedAuthorization(redact(value, secrets));
	if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets));
	if (value && typeof value === 'object') {
		return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, secrets)]));
	}
	return value;
}

/** The status code of a failed n8n request, if the server answered. */
export function statusOf(error: unknown): number | undefined {
	const e = error as { response?: { status?: number }; httpCode?: string; cause?: { response?: { status?: number } } };
	const status = e?.response?.status ?? e?.cause?.response?.status ?? Number(e?.httpCode);
	return Number.isFinite(status) && status ? status : undefined;
}

/** The response headers of a failed n8n request, if the server answered. */
export function headersOf(error: unknown): Record<string, string> {
	const e = error as { response?: { headers?: unknown }; cause?: { response?: { headers?: unknown } } };
	const headers = e?.response?.headers ?? e?.cause?.response?.headers;
	return headers && typeof headers === 'object' ? { ...(headers as Record<string, string>) } : {};
}

/** The body of a failed n8n request, if the server answered. */
export function bodyOf(error: unknown): unknown {
	const e = error as { response?: { data?: unknown }; cause?: { response?: { data?: unknown } } };
	return e?.response?.data ?? e?.cause?.response?.data;
}

const NETWORK_HINTS: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused: is the host and port right, and is the server running?',
	ENOTFOUND: 'the host name does not resolve: check the URL for typos',
	EAI_AGAIN: 'the host name could not be resolved right now (DNS): try again, or check the URL',
	ECONNRESET: 'the server closed the connection',
	ETIMEDOUT: 'the server did not answer in time',
	ECONNABORTED: 'the server did not answer in time',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		'the server certificate is signed by a CA this n8n does not trust: add that CA under "CA Certificates" in the credential',
	SELF_SIGNED_CERT_IN_CHAIN:
		'the server certificate chains to a CA this n8n does not trust: add that CA under "CA Certificates" in the credential',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'the server uses a self-signed certificate: add it under "CA Certificates" in the credential',
	UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		'the server certificate is signed by a CA this n8n does not trust: add that CA under "CA Certificates" in the credential',
	CERT_HAS_EXPIRED: 'the server certificate has expired: the API provider must renew it',
	ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate is not valid for this host name: check the URL',
	ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate: set one in the credential (Client Certificate)',
	ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE:
		'the server refused the client certificate: check that it is the one the API provider issued, and not revoked',
	ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'the server does not know the client certificate: check that the API provider registered it',
	ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
		'the server does not trust the CA that signed the client certificate: use a certificate the API provider issued',
	ERR_OSSL_PKCS12_MAC_VERIFY_FAILURE: 'wrong passphrase for the PKCS#12 file',
	ERR_OSSL_BAD_DECRYPT: 'wrong passphrase for the private key',
};

/**
 * What went wrong below HTTP (DNS, TCP, TLS), as advice; undefined when the server answered.
 * With TLS 1.3 a server that refuses a client certificate often just drops the connection, so
 * a reset while a certificate was offered points at the certificate.
 */
export function networkProblem(error: unknown, context: { clientCertificate?: boolean } = {}): string | undefined {
	let current = error as { code?: string; cause?: unknown; message?: string } | undefined;
	for (let depth = 0; current && depth < 5; depth++) {
		if (current.code === 'ECONNRESET' && context.clientCertificate) {
			return 'the server closed the connection: it probably refused the client certificate. Check that it is the one the API provider issued and registered';
		}
		if (current.code && NETWORK_HINTS[current.code]) return NETWORK_HINTS[current.code];
		if (current.message && /mac verify failure/i.test(current.message)) return NETWORK_HINTS.ERR_OSSL_PKCS12_MAC_VERIFY_FAILURE;
		if (current.message && /timeout of \d+ms exceeded/i.test(current.message)) return NETWORK_HINTS.ETIMEDOUT;
		current = current.cause as typeof current;
	}
	return undefined;
}

/** A short, secret-free excerpt of a response body for an error message. */
export function excerpt(body: unknown, secrets: unknown[], max = 200): string {
	let text: string;
	if (body === undefined || body === null) return '';
	if (Buffer.isBuffer(body)) text = body.toString('utf8');
	else if (typeof body === 'string') text = body;
	else {
		try {
			text = JSON.stringify(redactValue(body, secrets));
		} catch {
			text = String(body);
		}
	}
	text = quotedAuthorization(redact(text.replace(/\s+/g, ' ').trim(), secrets));
	return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** Ends a text with a full stop, unless it already ends a sentence. */
export const sentence = (text: string): string => (/[.?!]$/.test(text) ? text : `${text}.`);

/** The URL without query string or credentials, safe to show. */
export function displayUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.origin}${parsed.pathname}`;
	} catch {
		return '(invalid URL)';
	}
}
