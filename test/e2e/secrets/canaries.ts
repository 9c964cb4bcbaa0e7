// Canaries: unique, recognisable secrets for every secret field of every test credential, and
// a scanner that looks for each of them in any text, in every encoding a secret travels in:
// raw, URL-encoded (encodeURIComponent and form, with "+"), JSON-escaped, base64 and base64url
// (at every byte alignment, so that base64 of "user:password" or of a whole header or body is
// found too), hex and a Buffer's JSON byte list.
//
// Secrets that cannot hold a canary (PEM private keys, PKCS#12 files, tokens the rig issues) are
// registered with what identifies them: the base64 body lines of the key, windows of the file's
// bytes, the token itself.
import { randomBytes } from 'node:crypto';

export type SecretKind = 'canary' | 'key' | 'file' | 'token';

export interface Needle {
	/** How the secret is written in `text`: raw, url, form, json, base64, base64url, id, line... */
	encoding: string;
	text: string;
}

export interface Secret {
	/** What the secret is, e.g. "headerKey.apiKey" or "token:access #3". */
	label: string;
	kind: SecretKind;
	value: string;
	needles: Needle[];
}

export interface Finding {
	place: string;
	secret: string;
	kind: SecretKind;
	encodings: string[];
	/** Some text around the first hit, to find it. */
	context: string;
}

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A random id of lowercase letters and digits: the same in raw, URL, form and JSON forms. */
export function randomId(length = 16): string {
	const bytes = randomBytes(length);
	return Array.from(bytes, (byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

/**
 * Characters that every encoding writes differently: a space (form "+", URL "%20"), ":" (the
 * Basic separator), "+", "/" and "=" (base64's own), quote and backslash (JSON), "&" and "%"
 * (query strings). All are valid in an HTTP header value.
 */
export const SPICE = ' :+/="&%\\';

const formEncode = (value: string) => new URLSearchParams({ x: value }).toString().slice(2);
const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);

/**
 * The parts of base64(prefix + value + suffix) that depend on `value` alone, for the three
 * alignments of `value` in the encoded bytes. Any base64 text that holds `value`'s bytes holds
 * one of these.
 */
export function base64Fragments(value: Buffer, minLength = 12): string[] {
	const fragments: string[] = [];
	for (let offset = 0; offset < 3; offset++) {
		const encoded = Buffer.concat([Buffer.alloc(offset), value]).toString('base64');
		const start = offset === 0 ? 0 : offset === 1 ? 2 : 3;
		const end = Math.floor((offset + value.length) / 3) * 4;
		const fragment = encoded.slice(start, end);
		if (fragment.length >= minLength) fragments.push(fragment);
	}
	return fragments;
}

const toBase64Url = (base64: string) => base64.replace(/\+/g, '-').replace(/\//g, '_');

function encodedNeedles(value: string): Needle[] {
	const needles: Needle[] = [
		{ encoding: 'raw', text: value },
		{ encoding: 'url', text: encodeURIComponent(value) },
		{ encoding: 'form', text: formEncode(value) },
		{ encoding: 'json', text: jsonEscape(value) },
		{ encoding: 'json-in-json', text: jsonEscape(jsonEscape(value)) },
	];
	for (const fragment of base64Fragments(Buffer.from(value, 'utf8'))) {
		needles.push({ encoding: 'base64', text: fragment }, { encoding: 'base64url', text: toBase64Url(fragment) });
	}
	return needles;
}

/** PEM body lines (the base64 of the key), long enough to be unique. */
export function pemBodyLines(pem: string): string[] {
	return pem
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line.length >= 24 && /^[A-Za-z0-9+/=]+$/.test(line));
}

export class Canaries {
	readonly secrets: Secret[] = [];

	private readonly byLabel = new Map<string, Secret>();

	/**
	 * A new canary for a secret field: `CANARY-<field>-<id>`, with characters that every
	 * encoding writes differently in the middle unless `plain`.
	 */
	make(label: string, options: { plain?: boolean } = {}): string {
		const id = randomId();
		const field = label.replace(/[^A-Za-z0-9]/g, '');
		const core = `CANARY-${field}-${id}`;
		const value = options.plain ? core : `${core}${SPICE}${id.slice(0, 6)}`;
		// The core (letters, digits, "-") is the same in raw, URL, form and JSON text, so its
		// base64, hex and byte forms find any encoding of the value that was then base64-encoded,
		// such as a Basic header of form-encoded client credentials.
		const coreBytes = Buffer.from(core);
		const coreNeedles: Needle[] = [
			...base64Fragments(coreBytes).flatMap((fragment) => [
				{ encoding: 'base64(core)', text: fragment },
				{ encoding: 'base64url(core)', text: toBase64Url(fragment) },
			]),
			{ encoding: 'hex', text: coreBytes.toString('hex') },
			{ encoding: 'buffer-json', text: Array.from(coreBytes).join(',') },
		];
		this.add(label, 'canary', value, dedupe([{ encoding: 'id', text: id }, ...encodedNeedles(value), ...coreNeedles]));
		return value;
	}

	/** A PEM private key: every body line, in each of the key's forms given. */
	addKey(label: string, ...pems: string[]): void {
		const needles: Needle[] = [];
		for (const pem of pems) {
			for (const line of pemBodyLines(pem)) {
				needles.push({ encoding: 'pem-line', text: line }, { encoding: 'pem-line-url', text: encodeURIComponent(line) });
			}
		}
		this.add(label, 'key', pems[0], dedupe(needles));
	}

	/** A binary secret given as base64 (a PKCS#12 file): windows of its text and of its bytes. */
	addFile(label: string, base64: string): void {
		const compact = base64.replace(/\s+/g, '');
		const bytes = Buffer.from(compact, 'base64');
		const needles: Needle[] = [];
		for (let at = 0; at + 48 <= compact.length; at += Math.max(48, Math.floor(compact.length / 12))) {
			const window = compact.slice(at, at + 48);
			needles.push({ encoding: 'base64', text: window }, { encoding: 'url', text: encodeURIComponent(window) });
		}
		for (let at = 64; at + 24 <= bytes.length; at += Math.max(24, Math.floor(bytes.length / 6))) {
			const window = bytes.subarray(at, at + 24);
			needles.push(
				{ encoding: 'hex', text: window.toString('hex') },
				{ encoding: 'buffer-json', text: Array.from(window).join(',') },
				{ encoding: 'buffer-inspect', text: Array.from(window, (b) => b.toString(16).padStart(2, '0')).join(' ') },
			);
		}
		this.add(label, 'file', compact, dedupe(needles));
	}

	/** A token issued by a server (access, refresh, a signed assertion). Known ones are skipped. */
	addToken(label: string, token: string): boolean {
		if (!token || token.length < 16 || this.secrets.some((s) => s.kind === 'token' && s.value === token)) return false;
		const needles = encodedNeedles(token).filter((n) => n.text.length >= 16);
		// A JWT: its signature alone identifies it.
		const signature = token.split('.').length === 3 ? token.split('.')[2] : '';
		if (signature.length >= 16) needles.push({ encoding: 'jwt-signature', text: signature });
		this.add(`${label} #${this.secrets.filter((s) => s.kind === 'token').length + 1}`, 'token', token, dedupe(needles));
		return true;
	}

	get(label: string): Secret {
		const secret = this.byLabel.get(label);
		if (!secret) throw new Error(`No canary "${label}"`);
		return secret;
	}

	/** The canary (value) of a label. */
	value(label: string): string {
		return this.get(label).value;
	}

	count(kind?: SecretKind): number {
		return kind ? this.secrets.filter((s) => s.kind === kind).length : this.secrets.length;
	}

	needleCount(): number {
		return this.secrets.reduce((sum, s) => sum + s.needles.length, 0);
	}

	/** Every secret found in `text`, with the encodings it was found in. */
	scan(place: string, text: string): Finding[] {
		const findings: Finding[] = [];
		if (!text) return findings;
		for (const secret of this.secrets) {
			const hits = secret.needles.filter((needle) => text.includes(needle.text));
			if (!hits.length) continue;
			const at = text.indexOf(hits[0].text);
			findings.push({
				place,
				secret: secret.label,
				kind: secret.kind,
				encodings: [...new Set(hits.map((hit) => hit.encoding))],
				context: text.slice(Math.max(0, at - 120), at + hits[0].text.length + 60).replace(/\s+/g, ' '),
			});
		}
		return findings;
	}

	private add(label: string, kind: SecretKind, value: string, needles: Needle[]): void {
		if (this.byLabel.has(label)) throw new Error(`Canary "${label}" exists`);
		const secret = { label, kind, value, needles };
		this.secrets.push(secret);
		this.byLabel.set(label, secret);
	}
}

function dedupe(needles: Needle[]): Needle[] {
	const seen = new Set<string>();
	return needles.filter((needle) => !seen.has(needle.text) && seen.add(needle.text));
}

/**
 * Findings as lines for an assertion message: one line per secret and place (the same leak is
 * usually found in several views of one execution), with the text around the first hit.
 */
export function describeFindings(findings: Finding[], max = 60): string {
	const groups = new Map<string, Finding[]>();
	for (const finding of findings) {
		// One line per secret and scenario (the text before the first ":" of the place).
		const key = `${finding.secret}\u0000${finding.place.split(':')[0]}`;
		groups.set(key, [...(groups.get(key) ?? []), finding]);
	}
	const lines = [...groups.values()].slice(0, max).map((group) => {
		const f = group[0];
		const encodings = [...new Set(group.flatMap((g) => g.encodings))].join('/');
		const more = group.length > 1 ? ` (and ${group.length - 1} more views of it)` : '';
		return `- ${f.secret} (${f.kind}) in ${f.place}${more} as ${encodings}: …${f.context}…`;
	});
	if (groups.size > max) lines.push(`… and ${groups.size - max} more`);
	return lines.join('\n');
}
