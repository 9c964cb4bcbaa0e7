import { createHash, randomBytes } from 'crypto';
import { UserError } from 'n8n-workflow';

// HTTP Digest access authentication (RFC 7616), as pure functions: read a server's challenge,
// and answer it for one request. What to answer and where is decided elsewhere: the HTTP
// Digest credential fetches the challenge from its own Test URL and answers only requests to
// its own origin (boundary.ts).

export const DIGEST_ALGORITHMS = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const;
export type DigestAlgorithm = (typeof DIGEST_ALGORITHMS)[number];

/** A Digest challenge the package can answer. */
export interface DigestChallenge {
	realm: string;
	nonce: string;
	opaque?: string;
	algorithm: DigestAlgorithm;
	/** 'auth', or absent for an RFC 2069 server that offers no qop. */
	qop?: 'auth';
	userhash?: boolean;
}

/** One challenge of a WWW-Authenticate header: its scheme and parameters (names in lower case). */
export interface RawChallenge {
	scheme: string;
	params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*/y;

/** Reads every challenge of WWW-Authenticate headers (RFC 9110 11.6.1: several may share one header). */
export function parseChallenges(header: string | string[] | undefined): RawChallenge[] {
	const text = Array.isArray(header) ? header.join(', ') : (header ?? '');
	const challenges: RawChallenge[] = [];
	let at = 0;
	const skip = (pattern: RegExp) => {
		while (at < text.length && pattern.test(text[at])) at++;
	};
	const match = (pattern: RegExp): string | undefined => {
		pattern.lastIndex = at;
		const found = pattern.exec(text);
		if (!found) return undefined;
		at = pattern.lastIndex;
		return found[0];
	};
	const quoted = (): string | undefined => {
		if (text[at] !== '"') return undefined;
		let value = '';
		for (at++; at < text.length; at++) {
			const char = text[at];
			if (char === '"') {
				at++;
				return value;
			}
			value += char === '\\' && at + 1 < text.length ? text[++at] : char;
		}
		return undefined;
	};
	while (at < text.length) {
		skip(/[\s,]/);
		const scheme = match(TOKEN);
		if (!scheme) break;
		const challenge: RawChallenge = { scheme, params: {} };
		challenges.push(challenge);
		// Parameters until the next scheme: a token not followed by "=".
		for (;;) {
			skip(/[\s,]/);
			const start = at;
			const name = match(TOKEN);
			if (!name) break;
			skip(/[ \t]/);
			if (text[at] !== '=') {
				at = start;
				break;
			}
			at++;
			skip(/[ \t]/);
			const value = quoted() ?? match(TOKEN68) ?? match(TOKEN);
			if (value === undefined) return challenges;
			challenge.params[name.toLowerCase()] = value;
		}
	}
	return challenges;
}

/**
 * The Digest challenge to answer: the first one (servers list them in order of preference,
 * RFC 7616 3.7) with an algorithm the package supports and qop "auth" or no qop.
 * Throws a sentence saying what the server asked for when none fits.
 */
export function pickChallenge(header: string | string[] | undefined): DigestChallenge {
	const offered = parseChallenges(header);
	const digests = offered.filter((challenge) => challenge.scheme.toLowerCase() === 'digest');
	for (const { params } of digests) {
		const algorithm = DIGEST_ALGORITHMS.find((name) => name.toLowerCase() === (params.algorithm ?? 'MD5').toLowerCase());
		const qops = params.qop?.split(',').map((qop) => qop.trim().toLowerCase());
		if (!algorithm || (qops && !qops.includes('auth')) || !params.nonce || params.realm === undefined) continue;
		return {
			realm: params.realm,
			nonce: params.nonce,
			...(params.opaque !== undefined ? { opaque: params.opaque } : {}),
			algorithm,
			...(qops ? { qop: 'auth' as const } : {}),
			...(params.userhash?.toLowerCase() === 'true' ? { userhash: true } : {}),
		};
	}
	if (digests.length === 0) {
		const schemes = [...new Set(offered.map((challenge) => challenge.scheme))];
		throw new UserError(
			schemes.length
				? `The server asks for ${schemes.join(', ')} authentication, not Digest. Use the credential type for that scheme.`
				: 'The server did not ask for Digest authentication (no WWW-Authenticate: Digest header in its 401 answer).',
		);
	}
	const asked = digests.map(({ params }) => `algorithm ${params.algorithm ?? 'MD5'}${params.qop ? `, qop ${params.qop}` : ''}`);
	throw new UserError(
		`The server's Digest challenge asks for ${asked.join('; ')}. Supported: algorithms ${DIGEST_ALGORITHMS.join(', ')} with qop "auth" (not "auth-int").`,
	);
}

/** What is answered: the request as the server will see it. */
export interface DigestRequest {
	username: string;
	password: string;
	method: string;
	/** The request target: path and query, exactly as sent. */
	uri: string;
	/** The nonce count, 1 for the nonce's first use. */
	nc: number;
	/** The client nonce; random when absent. */
	cnonce?: string;
}

function hash(algorithm: DigestAlgorithm, text: string | Buffer): string {
	return createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5')
		.update(typeof text === 'string' ? Buffer.from(text, 'utf8') : text)
		.digest('hex');
}

/**
 * "user:realm" or "user:realm:password" as bytes: user and password in UTF-8, the realm as the
 * server sent it (Node reads header values as Latin-1, so this gives back its bytes).
 */
function withRealm(username: string, realm: string, password?: string): Buffer {
	return Buffer.concat([
		Buffer.from(`${username}:`, 'utf8'),
		Buffer.from(realm, 'latin1'),
		...(password === undefined ? [] : [Buffer.from(`:${password}`, 'utf8')]),
	]);
}

/** A quoted-string (RFC 9110 5.6.4). */
const quote = (value: string) => `"${value.replace(/[\\"]/g, '\\$&')}"`;

/** The response value of RFC 7616 3.4.1, and the header parameters it goes with. */
export function digestResponse(challenge: DigestChallenge, request: DigestRequest): { response: string; cnonce: string; nc: string } {
	const { algorithm, realm, nonce } = challenge;
	const cnonce = request.cnonce ?? randomBytes(16).toString('hex');
	const nc = request.nc.toString(16).padStart(8, '0');
	let ha1 = hash(algorithm, withRealm(request.username, realm, request.password));
	if (algorithm.endsWith('-sess')) ha1 = hash(algorithm, `${ha1}:${nonce}:${cnonce}`);
	const ha2 = hash(algorithm, `${request.method.toUpperCase()}:${request.uri}`);
	const response = challenge.qop
		? hash(algorithm, `${ha1}:${nonce}:${nc}:${cnonce}:${challenge.qop}:${ha2}`)
		: hash(algorithm, `${ha1}:${nonce}:${ha2}`);
	return { response, cnonce, nc };
}

/** The Authorization header that answers `challenge` for `request` (RFC 7616 3.4). */
export function digestAuthorization(challenge: DigestChallenge, request: DigestRequest): string {
	const { response, cnonce, nc } = digestResponse(challenge, request);
	const params: string[] = [];
	if (challenge.userhash) {
		params.push(`username=${quote(hash(challenge.algorithm, withRealm(request.username, challenge.realm)))}`, 'userhash=true');
	} else if (/^[\x20-\x7e]*$/.test(request.username)) {
		params.push(`username=${quote(request.username)}`);
	} else {
		// RFC 7616 3.4.4: a username beyond ASCII goes as an RFC 8187 extended value.
		params.push(
			`username*=UTF-8''${encodeURIComponent(request.username).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
		);
	}
	params.push(`realm=${quote(challenge.realm)}`, `nonce=${quote(challenge.nonce)}`, `uri=${quote(request.uri)}`);
	params.push(`algorithm=${challenge.algorithm}`, `response=${quote(response)}`);
	if (challenge.opaque !== undefined) params.push(`opaque=${quote(challenge.opaque)}`);
	if (challenge.qop) params.push(`qop=${challenge.qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
	return `Digest ${params.join(', ')}`;
}

/** The request target of a URL as Node sends it: path and query. */
export function requestTarget(url: string): string {
	const parsed = new URL(url);
	return `${parsed.pathname}${parsed.search}`;
}

// Nonce counts per nonce in this process (RFC 7616 3.4: the count goes up with each use of a
// nonce, so a server that checks it sees no replay). Bounded: the oldest nonce is forgotten.
const counts = new Map<string, number>();
const COUNTED = 1024;

/** The next nonce count for `nonce`. */
export function nextNonceCount(nonce: string): number {
	const next = (counts.get(nonce) ?? 0) + 1;
	counts.delete(nonce);
	counts.set(nonce, next);
	if (counts.size > COUNTED) counts.delete(counts.keys().next().value as string);
	return next;
}
