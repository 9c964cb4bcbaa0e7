// Finds secrets in recorded requests, in any encoding a client might use: raw, percent-encoded
// (encodeURIComponent, RFC 3986 strict, form encoding with + for space, upper or lower case
// hex), JSON-escaped (with or without \u escapes), base64 and base64url at any alignment inside
// a longer base64 text (so "Basic base64(user:password)" is found from the password alone), and
// after decoding the request's own percent-encoding and base64 runs. Every secret a test makes
// carries a unique tag of letters and digits, which survives every encoding, trimming and
// truncation: a secret counts as found when its whole value or its tag is found.
import type { Handshake, Seen } from './network.ts';

export interface Secret {
	/** What it is, for messages: "live key", "client secret", "access token"... */
	label: string;
	value: string;
	/** A run of letters and digits (10 or more) that only this secret contains; optional. */
	tag?: string;
	/** Origins it may be sent to (normalised, e.g. "http://127.0.0.1:4000"). Empty: nowhere. */
	allowed: ReadonlySet<string>;
}

export interface Leak {
	secret: string;
	/** How it was found: "raw", "base64 (offset 1)", "decoded percent-encoding"... */
	encoding: string;
	request: string;
}

const STRICT = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const FORM = (value: string) => new URLSearchParams([['x', value]]).toString().slice(2);
const lowerHex = (value: string) => value.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
const asciiJson = (value: string) =>
	JSON.stringify(value)
		.slice(1, -1)
		.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The base64 text of `bytes` as it appears inside any longer base64 text, for each of the three
 * alignments: the characters that depend on neighbouring bytes are cut off.
 */
export function base64Fragments(bytes: Buffer): Array<{ offset: number; text: string }> {
	const fragments: Array<{ offset: number; text: string }> = [];
	for (let offset = 0; offset < 3; offset++) {
		const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
			.toString('base64')
			.replace(/=+$/, '');
		const first = Math.ceil((offset * 8) / 6);
		const last = Math.floor(((offset + bytes.length) * 8) / 6);
		const text = encoded.slice(first, last);
		if (text.length >= 8) fragments.push({ offset, text });
	}
	return fragments;
}

const toUrl = (base64: string) => base64.replace(/\+/g, '-').replace(/\//g, '_');

/** Every encoded form of a value to look for, with the name of the encoding. */
export function encodingsOf(value: string): Array<{ encoding: string; text: string }> {
	const forms: Array<{ encoding: string; text: string }> = [
		{ encoding: 'raw', text: value },
		{ encoding: 'raw, trimmed', text: value.trim() },
		{ encoding: 'encodeURIComponent', text: encodeURIComponent(value) },
		{ encoding: 'encodeURIComponent, lower-case hex', text: lowerHex(encodeURIComponent(value)) },
		{ encoding: 'RFC 3986 strict', text: STRICT(value) },
		{ encoding: 'form encoding', text: FORM(value) },
		{ encoding: 'form encoding, lower-case hex', text: lowerHex(FORM(value)) },
		{ encoding: 'encodeURI', text: encodeURI(value) },
		{ encoding: 'JSON string', text: JSON.stringify(value).slice(1, -1) },
		{ encoding: 'JSON string, ASCII only', text: asciiJson(value) },
		{ encoding: 'JSON string, escaped slashes', text: JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/') },
	];
	for (const { offset, text } of base64Fragments(Buffer.from(value, 'utf8'))) {
		forms.push({ encoding: `base64 (offset ${offset})`, text });
		forms.push({ encoding: `base64url (offset ${offset})`, text: toUrl(text) });
	}
	const seen = new Set<string>();
	return forms.filter((form) => form.text.length >= 4 && !seen.has(form.text) && seen.add(form.text));
}

function safeDecode(text: string): string {
	return text.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
		try {
			return decodeURIComponent(run);
		} catch {
			return run;
		}
	});
}

/** Everything a request carried, as bytes: request line, headers, body. */
export function bytesOf(request: Seen): Buffer {
	const head = [`${request.method} ${request.target}`, ...request.headers.map(([name, value]) => `${name}: ${value}`)].join('\r\n');
	// Node hands request lines and header values over as Latin-1: that is byte for byte.
	return Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), request.body]);
}

/** JSON string escapes undone (\\", \\\\, \\/, \\n, \\uXXXX...), wherever they are. */
function unescapeJson(text: string): string {
	const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
	return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escape: string) =>
		escape.length === 5 ? String.fromCharCode(Number.parseInt(escape.slice(1), 16)) : (simple[escape] ?? escape),
	);
}

/** Text views of a request after undoing its own encodings: percent/form, base64 runs, JSON escapes. */
function decodedViews(raw: Buffer): string[] {
	const text = raw.toString('utf8');
	const percent = safeDecode(text.replace(/\+/g, ' '));
	const percentKeepPlus = safeDecode(text);
	const base64 = (text.match(/[A-Za-z0-9+/_-]{12,}={0,2}/g) ?? [])
		.flatMap((run) => [0, 1, 2, 3].map((skip) => run.slice(skip)))
		.map((run) => Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'))
		.join('\n');
	return [percent, percentKeepPlus, base64].flatMap((view) => [view, unescapeJson(view)]);
}

/** Where, if anywhere, a secret appears in a request. */
export function findSecret(request: Seen | Buffer, secret: Pick<Secret, 'value' | 'tag'>): string | undefined {
	const raw = Buffer.isBuffer(request) ? request : bytesOf(request);
	const needles = [
		...encodingsOf(secret.value),
		...(secret.tag ? encodingsOf(secret.tag).map((form) => ({ ...form, encoding: `tag, ${form.encoding}` })) : []),
	];
	for (const { encoding, text } of needles) {
		if (raw.includes(Buffer.from(text, 'utf8'))) return encoding;
	}
	const views = decodedViews(raw);
	for (const probe of [secret.value, secret.value.trim(), secret.tag].filter((p): p is string => !!p && p.length >= 4)) {
		if (views.some((view) => view.includes(probe))) return 'after decoding the request';
	}
	return undefined;
}

export function describe(request: Seen): string {
	return `#${request.seq} ${request.method} ${request.scheme}://${request.host}${request.target} (server ${request.server} ${request.address}:${request.port}, addressed origin ${request.origin})`;
}

/** Secrets found in requests to origins they may not go to. */
export function findLeaks(requests: readonly Seen[], secrets: readonly Secret[]): Leak[] {
	const leaks: Leak[] = [];
	for (const request of requests) {
		const raw = bytesOf(request);
		for (const secret of secrets) {
			if (secret.allowed.has(request.origin)) continue;
			const encoding = findSecret(raw, secret);
			if (encoding) leaks.push({ secret: secret.label, encoding, request: describe(request) });
		}
	}
	return leaks;
}

/**
 * Client certificates presented outside `allowed` origins: on a request, by its addressed
 * origin; on a handshake no request followed, by its SNI (or the server's address for an IP).
 */
export function findCertificateLeaks(requests: readonly Seen[], handshakes: readonly Handshake[], allowed: ReadonlySet<string>): Leak[] {
	const leaks: Leak[] = [];
	for (const request of requests) {
		if (request.clientCert && !allowed.has(request.origin)) {
			leaks.push({ secret: 'client certificate', encoding: 'TLS handshake', request: describe(request) });
		}
	}
	for (const handshake of handshakes) {
		if (!handshake.clientCert || handshake.origins.length) continue;
		const origin = new URL(`https://${handshake.sni ?? handshake.address}:${handshake.port}`).origin;
		if (!allowed.has(origin)) {
			leaks.push({
				secret: 'client certificate',
				encoding: 'TLS handshake without a request',
				request: `handshake at ${handshake.server} ${handshake.address}:${handshake.port}, SNI ${handshake.sni ?? '(none)'}`,
			});
		}
	}
	return leaks;
}
