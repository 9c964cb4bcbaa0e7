// Property-based tests of the package's promise: a credential's secret reaches only its own API.
//
// Every credential type, both nodes, the Test button and every token request run through
// n8n-core's real engine against a small loopback internet (test/rig/network.ts): four
// recording servers, each speaking HTTP and HTTPS on one port, on 127.0.0.1 and 127.0.0.2
// (Linux routes all of 127/8 to loopback), two of them on the same port, and every spelling of
// those addresses (127.1, 0x7f.0.0.1, 2130706433, 127.000.000.001, 0177.0.0.1, percent-encoded
// and full-width digits, trailing dots, localhost in any case, IPv4-mapped IPv6). fast-check
// generates redirect chains of 1 to 5 hops (301/302/303/307/308; absolute, protocol-relative,
// path and dot-relative Locations; userinfo; other host, port or scheme; confusables such as
// "http://<own host:port>@other/" or backslashes; chains that come back to the credential's
// origin), pagination links and cursors, credential settings, and secrets full of awkward
// characters (spaces, : / + % & # " \ é ✓ 𝄞, line breaks where the field allows them).
//
// The oracle never trusts the code under test: a request's origin is what the client
// addressed (the server's scheme and the Host header, normalised as URL does), and each secret
// is looked for in every request in every encoding (test/rig/leaks.ts, itself checked by the
// first property). Each secret has the origins it may go to: an API key or access token its
// API's origin, a password, client secret, private value or signed assertion its token URL's
// origin, a private key nowhere; a client certificate may be presented to those origins only
// (every server asks for one). And, so that no property passes vacuously, each run checks that
// the credential's own origin did receive the secret on its first request, and that the chain
// was walked exactly as far as the policy allows; each property prints what its runs exercised
// (requests that reached other origins, HTTPS hops outside, chains that came back...).
//
// Not covered here: the Authorization Code credential's Test button (the package does not test
// that type: n8n shows "Account connected" instead) and its token refresh (n8n-core's own
// OAuth2 code, which needs n8n's DI container and lock service; tested end to end in test/e2e).
// Its calls are covered: they run through n8n-core's requestOAuth2 with a stored token, bearer
// or not (a non-bearer token goes into the URL).
//
// Seed: FC_SEED (default below); FC_RUNS multiplies every numRuns (FC_RUNS=10 for a long hunt).
// A failure prints fast-check's report (seed, replay path, shrunk counterexample) and what the
// servers saw in that run. About 40 s on an idle two-core machine (25 s of CPU; loopback TCP and
// TLS set-up take the rest), up to twice that on a busy one.
import './quiet.ts';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { makePki, type Pki } from '../rig/certs.ts';
import { findCertificateLeaks, findLeaks, findSecret, type Leak, type Secret } from '../rig/leaks.ts';
import { startNetwork, type Network, type Reply, type Scheme, type Seen } from '../rig/network.ts';
import { OPENAI_KEYS, RIG_ORG, RIG_PROJECT, startOpenAiServer, type OpenAiServer } from '../rig/openaiServer.ts';
import type * as NW from 'n8n-workflow';
import { callWorkflow, createEngine, PACKAGE, testCredential, type Engine } from './engine.ts';

const SEED = Number.isSafeInteger(Number.parseInt(process.env.FC_SEED ?? '', 10))
	? Number.parseInt(process.env.FC_SEED as string, 10)
	: 20_240_611;
const SCALE = Math.max(0.1, Number(process.env.FC_RUNS ?? 1) || 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

let net: Network;
let engine: Engine;
let pki: Pki;
let openai: OpenAiServer;
let jwtKey: string;

before(async () => {
	pki = await makePki();
	// A is the credential's usual home; B is another host on the same port, C another port, D both.
	net = await startNetwork([
		{ label: 'A', address: '127.0.0.1' },
		{ label: 'B', address: '127.0.0.2', samePortAs: 'A' },
		{ label: 'C', address: '127.0.0.1' },
		{ label: 'D', address: '127.0.0.2' },
	]);
	engine = await createEngine();
	openai = await startOpenAiServer();
	jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
});
after(async () => await Promise.all([net?.close(), openai?.close()]));

// ---------------------------------------------------------------------------------------------
// Origins, spellings and redirect chains

type Label = 'A' | 'B' | 'C' | 'D';
const LABELS: Label[] = ['A', 'B', 'C', 'D'];

/** Spellings of 127.0.0.1 that are the same origin as 127.0.0.1 (URL normalises them). */
const SAME_AS_127_0_0_1 = [
	'127.0.0.1',
	'127.1',
	'0x7f.0.0.1',
	'2130706433',
	'127.000.000.001',
	'0177.0.0.1',
	'127.0.0.1.',
	'0x7F000001',
	'%31%32%37.0.0.1',
	// Full-width digits, percent-encoded: IDNA maps them to 127.0.0.1.
	'%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1',
];
const SAME_AS_LOCALHOST = ['localhost', 'LOCALHOST', 'LocalHost', 'l%6Fcalhost'];
/** Other spellings that reach the same server under another origin. */
const OTHER_NAMES_OF_127_0_0_1 = [
	'localhost',
	'LOCALHOST',
	'localhost.',
	'LocalHost.',
	'[::ffff:127.0.0.1]',
	'[::ffff:7f00:1]',
	'[0:0:0:0:0:ffff:7f00:1]',
];
const SPELLINGS_127_0_0_2 = [
	'127.0.0.2',
	'127.2',
	'0x7f.0.0.2',
	'2130706434',
	'127.000.000.002',
	'127.0.0.2.',
	'127.0.0.%32',
	'[::ffff:127.0.0.2]',
];

function spellingsOf(label: Label): string[] {
	return net.servers[label].address === '127.0.0.1' ? [...SAME_AS_127_0_0_1, ...OTHER_NAMES_OF_127_0_0_1] : SPELLINGS_127_0_0_2;
}

const originOf = (url: string) => new URL(url).origin;

interface Home {
	scheme: Scheme;
	host: '127.0.0.1' | 'localhost';
	/** The server it lives on. */
	label: Label;
}

const homeOrigin = (home: Home) => `${home.scheme}://${home.host}:${net.servers[home.label].port}`;

/** Where a hop points. "home" picks a spelling of the chain's own origin (scheme, host, port). */
type Target = { kind: 'home'; variant: number } | { kind: 'any'; label: Label; scheme: Scheme; spelling: number };

interface Hop {
	status: 301 | 302 | 303 | 307 | 308;
	target: Target;
	/**
	 * absolute; protocol-relative (keeps the current scheme); a path, or ./ and ../ relative (same
	 * origin as the current URL); or confusable: the credential's own host and port in the userinfo
	 * or after a backslash or "#", backslashes for slashes, no slashes after the scheme, a tab.
	 */
	form: 'absolute' | 'protocolRelative' | 'path' | 'dot' | 'dotdot' | 'confusable';
	/** Which confusable spelling. */
	trick: number;
	userinfo: boolean;
	upperScheme: boolean;
	/** A leading zero in the port: the same port. */
	zeroPort: boolean;
	query: boolean;
}

/** A hop target; `homeWeight` against 3 for any server: how often a chain stays on its origin. */
const targetArb = (homeWeight: number): fc.Arbitrary<Target> =>
	fc.oneof(
		{ weight: homeWeight, arbitrary: fc.record({ kind: fc.constant('home' as const), variant: fc.nat(20) }) },
		{
			weight: 3,
			arbitrary: fc.record({
				kind: fc.constant('any' as const),
				label: fc.constantFrom(...LABELS),
				scheme: fc.constantFrom<Scheme>('http', 'https'),
				spelling: fc.nat(30),
			}),
		},
	);

const hopOf = (homeWeight: number): fc.Arbitrary<Hop> =>
	fc.record({
		status: fc.constantFrom(301, 302, 303, 307, 308),
		target: targetArb(homeWeight),
		form: fc.oneof(
			{ weight: 5, arbitrary: fc.constant('absolute' as const) },
			{ weight: 2, arbitrary: fc.constant('protocolRelative' as const) },
			{ weight: 1, arbitrary: fc.constantFrom('path' as const, 'dot' as const, 'dotdot' as const) },
			{ weight: 1, arbitrary: fc.constant('confusable' as const) },
		),
		trick: fc.nat(6),
		userinfo: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 6, arbitrary: fc.constant(false) }),
		upperScheme: fc.boolean(),
		zeroPort: fc.boolean(),
		query: fc.boolean(),
	});
const hopArb = hopOf(2);

/** Chains of 1 to 5 hops. Where any hop outside ends the call, more stay inside (homeWeight 10). */
const chainArb = fc.array(hopArb, { minLength: 1, maxLength: 5 });
const insideLeaningChainArb = fc.array(hopOf(10), { minLength: 1, maxLength: 5 });

/** The Location header of hop `k` of a chain whose own origin is `home`, to path prefix `next`. */
function locationOf(hop: Hop, home: Home, nextPath: string, k: number): string {
	const query = hop.query ? `?hop=${k + 1}&x=%2F+y` : '';
	if (hop.form === 'path') return `${nextPath}${query}`;
	const last = nextPath.split('/').slice(-2).join('/');
	if (hop.form === 'dot') return `./${last}${query}`;
	if (hop.form === 'dotdot') return `../${last}${query}`;
	let scheme: Scheme;
	let host: string;
	let port: number;
	if (hop.target.kind === 'home') {
		const names = home.host === 'localhost' ? SAME_AS_LOCALHOST : SAME_AS_127_0_0_1;
		scheme = home.scheme;
		host = names[hop.target.variant % names.length];
		port = net.servers[home.label].port;
	} else {
		const names = spellingsOf(hop.target.label);
		scheme = hop.target.scheme;
		host = names[hop.target.spelling % names.length];
		port = net.servers[hop.target.label].port;
	}
	const userinfo = hop.userinfo ? 'u%40ser:p%3Ass@' : '';
	const authority = `${userinfo}${host}:${hop.zeroPort ? '0' : ''}${port}`;
	if (hop.form === 'protocolRelative') return `//${authority}${nextPath}${query}`;
	if (hop.form === 'confusable') {
		const own = `${home.host}:${net.servers[home.label].port}`;
		const tricks = [
			`${scheme}://${own}@${host}:${port}${nextPath}${query}`,
			`${scheme}://${host}:${port}\\@${own}${nextPath}${query}`,
			`/\\${host}:${port}${nextPath}${query}`,
			`\\\\${host}:${port}${nextPath}${query}`,
			`${scheme}:${host}:${port}${nextPath}${query}`,
			`${scheme.slice(0, 2)}\t${scheme.slice(2)}://${host}:${port}${nextPath}${query}`,
			`${scheme}://${host}:${port}${nextPath}${query}#@${own}/`,
		];
		return tricks[hop.trick % tricks.length];
	}
	return `${hop.upperScheme ? scheme.toUpperCase() : scheme}://${authority}${nextPath}${query}`;
}

interface Walk {
	/** The URL of every request of the chain, the first included. */
	urls: string[];
	/** The Location each hop answers. */
	locations: Array<{ status: number; location: string }>;
	/** Methods of each request, as redirects change them. */
	methods: string[];
}

/** The chain as a client that follows it all would walk it (URL resolution as the package does it). */
function walk(start: string, hops: Hop[], home: Home, pathOf: (k: number) => string, method: string): Walk {
	return walkFrom(
		start,
		hops.map((hop, k) => ({ status: hop.status, location: locationOf(hop, home, pathOf(k + 1), k) })),
		method,
	);
}

/** The same Locations, followed from another start. */
function walkFrom(start: string, locations: Walk['locations'], method: string): Walk {
	const urls = [start];
	const methods = [method];
	for (const [k, { status, location }] of locations.entries()) {
		urls.push(new URL(location, urls[k]).toString());
		const m = methods[k];
		methods.push((status === 303 && m !== 'HEAD') || ((status === 301 || status === 302) && m === 'POST') ? 'GET' : m);
	}
	return { urls, locations, methods };
}

/** Whether a request to `url` would connect at all: a hop without the credential's CA fails on our test CA. */
function reachable(url: string, inside: boolean, ignoreSsl: boolean): 'yes' | 'no' | 'unknown' {
	const parsed = new URL(url);
	// "localhost." resolves on some machines and not on others.
	if (/[a-z]\.$/i.test(parsed.hostname)) return 'unknown';
	if (parsed.protocol === 'https:' && !inside && !ignoreSsl) return 'no';
	return 'yes';
}

/** The number in the last path segment named like `h3` (for prefix "h"). */
function stepOf(target: string, prefix: string): number | undefined {
	const path = target.split('?')[0];
	const steps = path.split('/').filter((segment) => new RegExp(`^${prefix}\\d+$`).test(segment));
	return steps.length ? Number(steps[steps.length - 1].slice(prefix.length)) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Secrets

const AWKWARD = [
	' ',
	':',
	'/',
	'+',
	'%',
	'%2F',
	'&',
	'=',
	'?',
	'#',
	'"',
	"'",
	'\\',
	'@',
	';',
	',',
	'*',
	'(',
	')',
	'~',
	'<',
	'>',
	'{',
	'}',
	'[',
	']',
	'é',
	'ß',
	'ÿ',
	'✓',
	'€',
	'𝄞',
	'\n',
	'a',
	'Z',
	'0',
	'-',
	'_',
	'.',
	'==',
];
const noiseArb = fc.record({
	pre: fc.string({ unit: fc.constantFrom(...AWKWARD), maxLength: 3 }),
	post: fc.string({ unit: fc.constantFrom(...AWKWARD), maxLength: 8 }),
});
type Noise = { pre: string; post: string };
/** Noise for as many secrets as a credential needs. */
const noisesArb = fc.array(noiseArb, { minLength: 8, maxLength: 8 });

let tagCounter = 0;
const newTag = () => `sEc${(++tagCounter).toString(36).padStart(6, '0')}Q`;

type Charset = 'any' | 'header' | 'username' | 'urlsafe';
function charsetFilter(text: string, charset: Charset): string {
	const chars = [...text];
	if (charset === 'any') return text;
	if (charset === 'urlsafe') return chars.filter((c) => /[A-Za-z0-9._~-]/.test(c)).join('');
	// HTTP header values carry Latin-1 and no line breaks; leading and trailing blanks are trimmed by servers.
	const header = chars.filter((c) => c.codePointAt(0)! <= 0xff && c !== '\n').join('');
	return charset === 'username' ? header.replace(/:/g, '') : header;
}

function secretValue(noise: Noise, charset: Charset): { value: string; tag: string } {
	const tag = newTag();
	return { value: `${charsetFilter(noise.pre, charset)}${tag}${charsetFilter(noise.post, charset)}`, tag };
}

// ---------------------------------------------------------------------------------------------
// Credential cases

const TYPES = {
	headerKey: 'apiConnectorHeaderKeyApi',
	queryKey: 'apiConnectorQueryKeyApi',
	basic: 'apiConnectorBasicAuthApi',
	custom: 'apiConnectorCustomAuthApi',
	clientCert: 'apiConnectorClientCertificateApi',
	passwordGrant: 'apiConnectorPasswordGrantOAuth2Api',
	clientCredentials: 'apiConnectorClientCredentialsOAuth2Api',
	customToken: 'apiConnectorCustomTokenOAuth2Api',
	jwtExchange: 'apiConnectorJwtBearerApi',
	jwtSelfSigned: 'apiConnectorJwtBearerApi',
	openAi: 'apiConnectorOpenAiApi',
	authCode: 'apiConnectorAuthCodeOAuth2Api',
} as const;
type Kind = keyof typeof TYPES;
const TOKEN_KINDS: Kind[] = ['passwordGrant', 'clientCredentials', 'customToken', 'jwtExchange'];
/** Types without TLS fields: their API origin is plain HTTP here (our servers' CA is private). */
const NO_TLS: Kind[] = ['openAi', 'authCode'];

interface CredentialSettings {
	kind: Kind;
	noises: Noise[];
	/** Header name and format, for header keys and token headers. */
	headerName: 'Authorization' | 'X-API-Key' | 'X-Custom-Auth';
	prefixFormat: 'bearer' | 'token' | 'plain' | 'custom';
	/** Key types: which key the node sends; a development key with its own Base URL or not. */
	environment: 'live' | 'development';
	developmentBaseUrl: boolean;
	/** With TLS: present a client certificate on calls (and on token requests). */
	clientCertificate: boolean;
	/** Where the token URL is: the API's origin, or another port. */
	tokenOnOtherPort: boolean;
	/** Password grant: client authentication (custom token: POST for header, PUT for body); custom token: body type and token placement. */
	clientAuthentication: 'header' | 'body';
	/** Client credentials: how the client proves itself (tls_client_auth only with a certificate, else in the body). */
	clientMethod: 'header' | 'body' | 'privateKeyJwt' | 'tlsClientAuth';
	bodyType: 'json' | 'form';
	placement: 'header' | 'query';
	/** Authorization code: the stored token's type (n8n puts a non-bearer token in the URL). */
	tokenType: 'Bearer' | 'bearer' | 'mac';
}

const settingsArb = (kinds: readonly Kind[]): fc.Arbitrary<CredentialSettings> =>
	fc.record({
		kind: fc.constantFrom(...kinds),
		noises: noisesArb,
		headerName: fc.constantFrom('Authorization' as const, 'X-API-Key' as const, 'X-Custom-Auth' as const),
		prefixFormat: fc.constantFrom('bearer' as const, 'token' as const, 'plain' as const, 'custom' as const),
		environment: fc.constantFrom('live' as const, 'development' as const),
		developmentBaseUrl: fc.boolean(),
		clientCertificate: fc.boolean(),
		tokenOnOtherPort: fc.boolean(),
		clientAuthentication: fc.constantFrom('header' as const, 'body' as const),
		clientMethod: fc.constantFrom('header' as const, 'body' as const, 'privateKeyJwt' as const, 'tlsClientAuth' as const),
		bodyType: fc.constantFrom('json' as const, 'form' as const),
		placement: fc.constantFrom('header' as const, 'query' as const),
		tokenType: fc.constantFrom('Bearer' as const, 'bearer' as const, 'mac' as const),
	});

const homeArb = () =>
	fc.record({ scheme: fc.constantFrom<Scheme>('http', 'https'), host: fc.constantFrom('127.0.0.1' as const, 'localhost' as const) });

interface Case {
	type: string;
	kind: Kind;
	data: Record<string, unknown>;
	/** Node parameter Environment (key types). */
	environment: 'live' | 'development';
	home: Home;
	/** The origin the node's calls go to: the Base URL's, or the Development Base URL's. */
	api: string;
	/** The Base URL's origin, and where it lives. */
	baseOrigin: string;
	baseHome: Home;
	/** The token URL's origin, for token types. */
	token?: string;
	/** The development key's origin, for key types with one. */
	development?: string;
	/** Every secret with the origins it may reach. */
	secrets: Secret[];
	/** Secrets every request to the API's origin must carry (the first one at least). */
	onCalls: Secret[];
	/** Secrets only a body can carry (checked on POST calls). */
	inBody: Secret[];
	/** Secrets the first token request must carry. */
	onTokenRequest: Secret[];
	/** A client certificate goes to these origins (and must reach the API's). */
	certificateTo: Set<string>;
	/** The access token the token endpoint issues, and the one other servers would. */
	issuedToken?: string;
	foreignToken?: string;
	refreshToken?: string;
	/** Tokens found during the run (signed assertions, self-signed JWTs), with where they may go. */
	dynamicSecrets: (requests: Seen[]) => Secret[];
}

const secretOf = (label: string, made: { value: string; tag: string }, ...allowed: Array<string | undefined>): Secret => ({
	label,
	value: made.value,
	tag: made.tag,
	allowed: new Set(allowed.filter((origin): origin is string => !!origin)),
});

/** A private key or other PEM text that must go nowhere: a piece of its base64 body stands for it. */
function pemSecret(label: string, pem: string): Secret {
	const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
	return { label, value: body.slice(40, 100), allowed: new Set() };
}

/**
 * A credential of `settings.kind` for an API at `homeIn`, and what the run may and must see.
 * `id` names the scenario: every URL of the case is under /s/<id>/.
 */
function makeCase(settings: CredentialSettings, homeIn: { scheme: Scheme; host: Home['host'] }, id: string, apiPath: string): Case {
	const { kind, noises } = settings;
	const made = (index: number, charset: Charset) => secretValue(noises[index], charset);
	const tlsCapable = !NO_TLS.includes(kind);
	let home: Home = { ...homeIn, scheme: kind === 'clientCert' ? 'https' : tlsCapable ? homeIn.scheme : 'http', label: 'A' };
	let api = homeOrigin(home);
	const baseOrigin = api;
	const baseHome = home;
	const tls = tlsCapable && home.scheme === 'https';
	const withCertificate = kind === 'clientCert' || (tls && settings.clientCertificate);
	const tlsData = tls
		? {
				useTls: true,
				clientCertificateFormat: withCertificate ? 'pem' : 'none',
				...(withCertificate ? { certificate: pki.client.cert, privateKey: pki.client.keyPkcs8 } : {}),
				caCertificates: pki.ca.cert,
			}
		: {};
	const hasToken = TOKEN_KINDS.includes(kind) || kind === 'authCode';
	const token = hasToken ? (settings.tokenOnOtherPort ? `${home.scheme}://${home.host}:${net.servers.C.port}` : api) : undefined;
	const tokenUrl = token ? `${token}/s/${id}/t0/token` : undefined;
	const secrets: Secret[] = [];
	const onCalls: Secret[] = [];
	const inBody: Secret[] = [];
	const onTokenRequest: Secret[] = [];
	const certificateTo = new Set<string>(withCertificate ? [api, ...(token ? [token] : [])] : []);
	if (withCertificate) secrets.push(pemSecret('client private key', pki.client.keyPkcs8));
	const base = { baseUrl: api, testUrl: apiPath, ...tlsData };
	let data: Record<string, unknown> = {};
	let environment: Case['environment'] = 'live';
	let development: string | undefined;
	let issuedToken: string | undefined;
	let foreignToken: string | undefined;
	let refreshToken: string | undefined;
	let dynamicSecrets: Case['dynamicSecrets'] = () => [];

	const issue = (charset: Charset) => {
		const made = secretValue(noises[7], charset);
		issuedToken = made.value;
		foreignToken = `foreign${newTag()}`;
		return made;
	};

	switch (kind) {
		case 'headerKey':
		case 'queryKey': {
			const charset = kind === 'headerKey' ? 'header' : 'any';
			const live = made(0, charset);
			const hasDevelopment = settings.environment === 'development' || settings.developmentBaseUrl;
			const dev = hasDevelopment ? made(1, charset) : undefined;
			environment = dev ? settings.environment : 'live';
			development = dev ? (settings.developmentBaseUrl ? `http://127.0.0.1:${net.servers.C.port}` : api) : undefined;
			const liveSecret = secretOf('live key', live, environment === 'live' ? api : undefined);
			secrets.push(liveSecret);
			if (environment === 'live') onCalls.push(liveSecret);
			if (dev) {
				const devSecret = secretOf('development key', dev, environment === 'development' ? development : undefined);
				secrets.push(devSecret);
				if (environment === 'development') onCalls.push(devSecret);
			}
			data = {
				...base,
				...(kind === 'headerKey'
					? { headerName: settings.headerName, prefixFormat: settings.prefixFormat, customPrefix: 'Key ' }
					: { parameterName: ['api_key', 'key', 'x y', 'tok&en'][noises[2].post.length % 4] }),
				apiKey: live.value,
				...(dev ? { developmentApiKey: dev.value } : {}),
				...(dev && settings.developmentBaseUrl ? { developmentBaseUrl: development } : {}),
			};
			if (environment === 'development' && settings.developmentBaseUrl) {
				// The node calls the development Base URL: the case's API is there.
				home = { scheme: 'http', host: '127.0.0.1', label: 'C' };
				api = development as string;
				certificateTo.clear();
				if (withCertificate) certificateTo.add(api);
			}
			break;
		}
		case 'basic': {
			const username = made(0, 'username');
			const password = made(1, 'any');
			const passwordSecret = secretOf('password', password, api);
			secrets.push(secretOf('username', username, api), passwordSecret, {
				label: 'user:password',
				value: `${username.value}:${password.value}`,
				allowed: new Set([api]),
			});
			onCalls.push(passwordSecret);
			data = { ...base, username: username.value, password: password.value };
			break;
		}
		case 'custom': {
			const header = secretOf('self-handled header', made(0, 'header'), api);
			const query = secretOf('self-handled query parameter', made(1, 'any'), api);
			const field = secretOf('self-handled body field', made(2, 'any'), api);
			secrets.push(header, query, field);
			onCalls.push(header, query);
			inBody.push(field);
			const pairs = (name: string, value: string) => ({ values: [{ name, value }] });
			data = {
				...base,
				headers: pairs('X-App-Token', header.value),
				queryParameters: pairs('app_id', query.value),
				bodyFields: pairs('signature', field.value),
			};
			break;
		}
		case 'clientCert': {
			data = { ...base };
			break;
		}
		case 'passwordGrant': {
			const username = secretOf('username', made(0, 'any'), token);
			const password = secretOf('password', made(1, 'any'), token);
			const clientSecret = secretOf('client secret', made(2, 'any'), token);
			const accessToken = secretOf('access token', issue('header'), api);
			refreshToken = `refresh${newTag()}`;
			secrets.push(username, password, clientSecret, accessToken, {
				label: 'refresh token',
				value: refreshToken,
				allowed: new Set([token as string]),
			});
			onTokenRequest.push(password, clientSecret);
			onCalls.push(accessToken);
			data = {
				...base,
				tokenUrl,
				username: username.value,
				password: password.value,
				clientId: 'client-1',
				clientSecret: clientSecret.value,
				clientAuthentication: settings.clientAuthentication,
				scope: 'read',
			};
			break;
		}
		case 'clientCredentials': {
			const method = settings.clientMethod === 'tlsClientAuth' && !withCertificate ? 'body' : settings.clientMethod;
			const clientSecret = secretOf('client secret', made(2, 'any'), token);
			const accessToken = secretOf('access token', issue('header'), api);
			secrets.push(clientSecret, accessToken);
			if (method === 'header' || method === 'body') onTokenRequest.push(clientSecret);
			onCalls.push(accessToken);
			if (method === 'privateKeyJwt') {
				secrets.push(pemSecret('client assertion private key', jwtKey));
				// Each client assertion (its signature stands for it) is a secret of the token URL's origin.
				dynamicSecrets = (requests) =>
					requests
						.map((r) => new URLSearchParams(r.body.toString('utf8')).get('client_assertion'))
						.filter((assertion): assertion is string => !!assertion && assertion.length > 60)
						.map((assertion) => ({ label: 'client assertion', value: assertion.slice(-43), allowed: new Set([token as string]) }));
			}
			data = {
				...base,
				tokenUrl,
				clientId: 'client-1',
				clientAuthentication: method,
				// A secret stays in the credential whatever the method: it must go nowhere else either.
				clientSecret: clientSecret.value,
				...(method === 'privateKeyJwt' ? { clientAssertionKey: jwtKey, clientAssertionAlgorithm: 'ES256' } : {}),
				scope: 'read',
				extraTokenParameters: { values: [{ name: 'audience', value: `${api}/` }] },
			};
			break;
		}
		case 'customToken': {
			const user = secretOf('private value "user"', made(0, 'any'), token);
			const pass = secretOf('private value "pass"', made(1, 'any'), token);
			const header = secretOf('private value "hdr" (a token request header)', made(2, 'header'), token);
			const accessToken = secretOf('access token', issue(settings.placement === 'query' ? 'any' : 'header'), api);
			secrets.push(user, pass, header, accessToken);
			onTokenRequest.push(user, pass, header);
			onCalls.push(accessToken);
			data = {
				...base,
				tokenUrl,
				requestMethod: settings.clientAuthentication === 'header' ? 'POST' : 'PUT',
				bodyType: settings.bodyType,
				body: settings.bodyType === 'json' ? '{"user": "<user>", "pass": "<pass>", "n": 1}' : 'grant=login&user=<user>&pass=<pass>',
				privateValues: {
					values: [
						{ name: 'user', value: user.value },
						{ name: 'pass', value: pass.value },
						{ name: 'hdr', value: header.value },
					],
				},
				requestHeaders: { values: [{ name: 'X-Login', value: 'K <hdr>' }] },
				answerPath: 'access_token',
				placement: settings.placement,
				headerName: settings.headerName,
				prefixFormat: settings.prefixFormat,
				customPrefix: 'Key ',
				queryParameter: 'access_token',
			};
			break;
		}
		case 'jwtExchange': {
			const accessToken = secretOf('access token', issue('header'), api);
			secrets.push(accessToken, pemSecret('JWT private key', jwtKey));
			onCalls.push(accessToken);
			data = { ...base, mode: 'exchange', tokenUrl, issuer: 'robot@example.iam', algorithm: 'ES256', jwtPrivateKey: jwtKey, scope: 'read' };
			// Each signed assertion (its signature stands for it) is a secret of the token URL's origin.
			dynamicSecrets = (requests) =>
				requests
					.map((r) => new URLSearchParams(r.body.toString('utf8')).get('assertion'))
					.filter((assertion): assertion is string => !!assertion && assertion.length > 60)
					.map((assertion) => ({ label: 'signed JWT assertion', value: assertion.slice(-43), allowed: new Set([token as string]) }));
			break;
		}
		case 'jwtSelfSigned': {
			secrets.push(pemSecret('JWT private key', jwtKey));
			data = { ...base, mode: 'selfSigned', issuer: 'issuer-1', audience: 'aud-1', algorithm: 'ES256', jwtPrivateKey: jwtKey };
			// The JWT itself is the bearer token: a secret of the API's origin.
			dynamicSecrets = (requests) =>
				selfSignedJwts(requests).map((jwt) => ({ label: 'self-signed JWT', value: jwt.slice(-43), allowed: new Set([api]) }));
			break;
		}
		case 'openAi': {
			const key = secretOf('OpenAI key', made(0, 'header'), api);
			const extra = secretOf('extra header value', made(1, 'header'), api);
			secrets.push(key, extra);
			onCalls.push(key, extra);
			data = {
				apiKey: key.value,
				organizationId: RIG_ORG,
				projectId: RIG_PROJECT,
				baseUrl: api,
				extraHeaders: { values: [{ name: 'X-Proxy-Token', value: extra.value }] },
			};
			break;
		}
		case 'authCode': {
			// n8n signs a non-bearer token into the URL, unencoded: such tokens are URL-safe.
			const accessToken = secretOf('access token', issue(settings.tokenType === 'mac' ? 'urlsafe' : 'header'), api);
			const clientSecret = secretOf('client secret', made(1, 'any'), token);
			refreshToken = `refresh${newTag()}`;
			secrets.push(accessToken, clientSecret, { label: 'refresh token', value: refreshToken, allowed: new Set([token as string]) });
			onCalls.push(accessToken);
			data = {
				grantType: 'authorizationCode',
				authUrl: `${token}/s/${id}/authorize`,
				accessTokenUrl: tokenUrl,
				clientId: 'client-1',
				clientSecret: clientSecret.value,
				scope: '',
				authentication: 'header',
				refreshOnStatus: '401',
				baseUrl: api,
				oauthTokenData: { access_token: accessToken.value, token_type: settings.tokenType, refresh_token: refreshToken },
			};
			break;
		}
	}
	return {
		type: TYPES[kind],
		kind,
		data,
		environment,
		home,
		api,
		baseOrigin,
		baseHome,
		token,
		development,
		secrets,
		onCalls,
		inBody,
		onTokenRequest,
		certificateTo,
		issuedToken,
		foreignToken,
		refreshToken,
		dynamicSecrets,
	};
}

/** Bearer JWTs in requests' Authorization headers. */
function selfSignedJwts(requests: Seen[]): string[] {
	return requests
		.flatMap((r) =>
			r.headers.filter(([name]) => name.toLowerCase() === 'authorization').map(([, value]) => /^Bearer (.+)$/.exec(value)?.[1]),
		)
		.filter((jwt): jwt is string => !!jwt && jwt.split('.').length === 3 && jwt.length > 60);
}

// ---------------------------------------------------------------------------------------------
// Scripts: what the servers answer for a scenario

interface ScriptSpec {
	/** Redirects of the API (or Test URL) chain, by hop: path segment h<k>. */
	api?: Walk;
	/** Hops of the API chain whose Location repeats the query string the server received. */
	echo?: ReadonlySet<number>;
	/** The final answer of the API chain. */
	apiFinal?: (seen: Seen, k: number) => Reply | Promise<Reply>;
	/** Redirects of the token URL: path segment t<k>. */
	token?: Walk;
	caseOf?: Case;
	/** Pages (path segment p<n>, or after a page's redirect q<n>). */
	pages?: (seen: Seen) => Reply;
}

function scriptOf(spec: ScriptSpec) {
	return async (seen: Seen): Promise<Reply> => {
		const tokenStep = stepOf(seen.target, 't');
		if (tokenStep !== undefined) {
			const hop = spec.token?.locations[tokenStep];
			if (hop) return { status: hop.status, headers: { location: hop.location } };
			const own = spec.caseOf?.token === seen.origin;
			// Any other server answers a token of its own: it must never be accepted or sent.
			const accessToken = own ? spec.caseOf?.issuedToken : spec.caseOf?.foreignToken;
			const refresh = spec.caseOf?.refreshToken;
			return {
				status: 200,
				body: { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, ...(own && refresh ? { refresh_token: refresh } : {}) },
			};
		}
		if (spec.pages && /\/[pq]\d+(\/|$|\?)/.test(seen.target.split('?')[0] + '/')) return spec.pages(seen);
		const step = stepOf(seen.target, 'h');
		if (step !== undefined) {
			const hop = spec.api?.locations[step];
			const query = seen.target.split('?')[1];
			if (hop && spec.echo?.has(step) && query) {
				return { status: hop.status, headers: { location: `${hop.location}${hop.location.includes('?') ? '&' : '?'}${query}` } };
			}
			if (hop) return { status: hop.status, headers: { location: hop.location } };
			if (spec.apiFinal) return await spec.apiFinal(seen, step);
			return { status: 200, body: { ok: true, hop: step, object: 'list', data: [] } };
		}
		return { status: 404, body: { error: 'unknown path' } };
	};
}

let scenarioCounter = 0;
/** What the runs of a property exercised, printed with its timing: proof that it is not vacuous. */
let stats = new Map<string, number>();
const count = (what: string, n = 1) => stats.set(what, (stats.get(what) ?? 0) + n);

/** Counts what a run's requests exercised, against the origins its secrets may reach. */
function tally(c: Case, outcome: Outcome, origins: string[] = []) {
	const own = new Set([c.api, c.baseOrigin, c.token, c.development, ...origins].filter(Boolean));
	const foreign = outcome.requests.filter((r) => !own.has(r.origin));
	count('runs');
	if (outcome.error) count('runs ending in an error');
	if (foreign.length) count("runs where a server outside the credential's origins got requests");
	count("requests outside the credential's origins", foreign.length);
	if (foreign.some((r) => r.scheme === 'https')) count('runs with an HTTPS request outside');
	if (outcome.handshakes.some((h) => !own.has(new URL(`https://${h.sni ?? h.address}:${h.port}`).origin)))
		count('runs with a TLS handshake outside (every server asks for a client certificate)');
	const sequence = outcome.requests.map((r) => own.has(r.origin));
	if (sequence.some((inside, k) => inside && sequence.slice(0, k).includes(false)))
		count("runs that came back to the credential's origin after another");
}
/** The last scenario's outcome, shown with a failure. */
let lastOutcome: Outcome | undefined;

/** What the servers saw in the last scenario, for a failure message. */
function dumpLast(): string {
	if (!lastOutcome) return '';
	const lines = lastOutcome.requests.map(
		(r) =>
			`  #${r.seq} ${r.method} ${r.scheme}://${r.host}${r.target} -> ${r.server} (${r.origin})${r.clientCert ? ' [client certificate]' : ''}`,
	);
	return `\nRequests the servers saw in that run:\n${lines.join('\n') || '  (none)'}\nThe run ended with: ${lastOutcome.error ?? 'success'}`;
}

interface Outcome {
	/** Requests and handshakes of this scenario only. */
	requests: Seen[];
	handshakes: Network['handshakes'];
	error?: string;
	output?: unknown[];
}

/** Runs `body` with `spec` answering under /s/<id>/, and collects what the servers saw meanwhile. */
async function scenario(
	id: string,
	spec: ScriptSpec,
	body: () => Promise<{ error?: string; output?: unknown[] }>,
	more: Record<string, ScriptSpec> = {},
): Promise<Outcome> {
	const requestMark = net.requests.length;
	const handshakeMark = net.handshakes.length;
	net.route(id, scriptOf(spec));
	for (const [other, otherSpec] of Object.entries(more)) net.route(other, scriptOf(otherSpec));
	try {
		const result = await body();
		lastOutcome = { ...result, requests: net.requests.slice(requestMark), handshakes: net.handshakes.slice(handshakeMark) };
		return lastOutcome;
	} finally {
		net.unroute(id);
		for (const other of Object.keys(more)) net.unroute(other);
	}
}

const show = (leaks: Leak[]) => leaks.map((leak) => `  ${leak.secret} (${leak.encoding}) in ${leak.request}`).join('\n');

/** No secret outside its origins, no certificate outside its origins, no foreign token anywhere. */
function assertNoLeak(c: Case, outcome: Outcome, counted: string[] | false = []) {
	if (counted) tally(c, outcome, counted);
	const secrets = [...c.secrets, ...c.dynamicSecrets(outcome.requests)];
	if (c.foreignToken) secrets.push({ label: 'token from another host', value: c.foreignToken, allowed: new Set() });
	const leaks = [...findLeaks(outcome.requests, secrets), ...findCertificateLeaks(outcome.requests, outcome.handshakes, c.certificateTo)];
	assert.equal(leaks.length, 0, `secrets outside their origin:\n${show(leaks)}`);
}

/** The control: the API's origin received the credential on its first call. */
function assertFirstCallCarries(c: Case, calls: Seen[], method: string) {
	const first = calls[0];
	assert.ok(first, `no call reached the API's origin ${c.api}`);
	assert.equal(first.origin, c.api, 'the first call went to the API origin');
	for (const secret of c.onCalls) assert.ok(findSecret(first, secret), `the first call to ${c.api} lacks the ${secret.label}`);
	if (method === 'POST')
		for (const secret of c.inBody) assert.ok(findSecret(first, secret), `the first POST to ${c.api} lacks the ${secret.label}`);
	if (c.certificateTo.size && c.api.startsWith('https:'))
		assert.ok(first.clientCert, `the first call to ${c.api} came without the client certificate`);
	if (c.kind === 'jwtSelfSigned') assert.equal(selfSignedJwts([first]).length, 1, 'the first call carries the self-signed JWT');
}

function nodeError(result: Awaited<ReturnType<Engine['run']>>): string | undefined {
	const error = result.error('Call') ?? result.error();
	if (!error) return undefined;
	return `${error.message} ${(error as { description?: string }).description ?? ''}`;
}

async function runCall(c: Case, parameters: NW.INodeParameters, type = `${PACKAGE}.configuredApiCall`) {
	const credential = { type: c.type, ...engine.credentials.add(c.type, c.data) };
	const result = await engine.run(callWorkflow(parameters, { credential, type }), { mode: 'trigger' });
	return { error: nodeError(result), output: result.output('Call') as unknown[] };
}

/** fast-check with the file's seed; its report (seed, path, counterexample) is the failure message. */
async function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns: number) {
	const started = Date.now();
	stats = new Map();
	const explained = async (value: T) => {
		lastOutcome = undefined;
		try {
			await predicate(value);
		} catch (error) {
			if (error instanceof Error) {
				// The reporter prints the stack, which holds the message as it was: extend both.
				const dump = dumpLast();
				error.message += dump;
				if (error.stack) error.stack = error.stack.replace(/\n {4}at /, (at) => `${dump}${at}`);
			}
			throw error;
		}
	};
	await fc.assert(fc.asyncProperty(arbitrary, explained), { seed: SEED, numRuns: runs(numRuns) });
	// Shown in the spec reporter's output: how long each property took with how many runs.
	const exercised = [...stats].map(([what, n]) => `${what}: ${n}`).join('; ');
	console.log(`  ${runs(numRuns)} runs in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}). ${exercised}`);
}

// ---------------------------------------------------------------------------------------------
// The properties

describe('the oracle', () => {
	test('the leak detector finds a secret in every encoding, anywhere in a request, and nothing else', async () => {
		const encodings: Array<[string, (value: string, user: string) => string]> = [
			['raw', (v) => v],
			['encodeURIComponent', (v) => encodeURIComponent(v)],
			['form encoding', (v) => new URLSearchParams([['k', v]]).toString().slice(2)],
			['JSON', (v) => JSON.stringify(v)],
			['base64', (v) => Buffer.from(v).toString('base64')],
			['base64url', (v) => Buffer.from(v).toString('base64url')],
			['Basic user:password', (v, user) => `Basic ${Buffer.from(`${user}:${v}`).toString('base64')}`],
			['JSON in base64url (a JWT claim)', (v) => Buffer.from(JSON.stringify({ sub: 'x', secret: v })).toString('base64url')],
		];
		const arbitrary = fc.record({
			noise: noiseArb,
			user: fc.string({ maxLength: 5 }).map((user) => user.replace(/:/g, '')),
			encoding: fc.nat(encodings.length - 1),
			where: fc.constantFrom('query' as const, 'header' as const, 'body' as const),
			before: fc.string({ maxLength: 7 }),
		});
		await check(
			arbitrary,
			async ({ noise, user, encoding, where, before }) => {
				const secret = secretValue(noise, where === 'header' ? 'header' : 'any');
				const other = secretValue(noise, 'any');
				const text = `${where === 'header' ? before.replace(/[^\x20-\x7e]/g, '') : before}${encodings[encoding][1](secret.value, user)}`;
				const request: Seen = {
					seq: 0,
					server: 'A',
					address: '127.0.0.1',
					port: 1,
					scheme: 'http',
					host: 'h',
					origin: 'http://h',
					method: 'POST',
					// A query carries URL-safe text as it is, anything else percent-encoded once more.
					target: where === 'query' ? `/x?a=${/^[\x21-\x7e]*$/.test(text) ? text : encodeURIComponent(text)}` : '/x',
					headers: where === 'header' ? [['X-H', Buffer.from(text, 'utf8').toString('latin1')]] : [],
					body: where === 'body' ? Buffer.from(text) : Buffer.alloc(0),
					clientCert: false,
				};
				assert.ok(findSecret(request, secret), `${encodings[encoding][0]} in the ${where} found`);
				assert.equal(findSecret(request, { value: other.value, tag: other.tag }), undefined, 'another secret is not found');
				// Without its tag, by value alone, where the text was not encoded a second time.
				const once = where !== 'query' || /^[\x21-\x7e]*$/.test(text) || encodings[encoding][0] === 'raw';
				if (once) assert.ok(findSecret(request, { value: secret.value }), `${encodings[encoding][0]} in the ${where} found by value`);
			},
			300,
		);
	});
});

describe('a secret reaches only its own origin', () => {
	const ALL_KINDS = Object.keys(TYPES) as Kind[];

	test('Configured API Call: redirect chains, every credential type, both cross-origin policies', async () => {
		const arbitrary = fc.record({
			settings: settingsArb(ALL_KINDS),
			home: homeArb(),
			hops: chainArb,
			method: fc.constantFrom('GET', 'POST'),
			contentType: fc.constantFrom('json', 'form'),
			crossOrigin: fc.constantFrom('strip' as const, 'error' as const),
			ignoreSsl: fc.boolean(),
		});
		await check(
			arbitrary,
			async ({ settings, home: homeIn, hops, method, contentType, crossOrigin, ignoreSsl }) => {
				const id = `call-${++scenarioCounter}`;
				const path = (k: number) => `/s/${id}/h${k}/x`;
				const c = makeCase(settings, homeIn, id, path(0));
				const chain = walk(`${c.api}${path(0)}`, hops, c.home, path, method);
				const inside = chain.urls.map((url) => originOf(url) === c.api);
				const outcome = await scenario(id, { api: chain, caseOf: c }, async () =>
					runCall(c, {
						authentication: c.type,
						environment: c.environment,
						method,
						url: path(0),
						...(method === 'POST'
							? {
									sendBody: true,
									contentType,
									jsonInput: 'fields',
									bodyParameters: { parameters: [{ name: 'note', value: `kept-${id}` }] },
								}
							: {}),
						options: { crossOrigin, ignoreSslIssues: ignoreSsl, timeout: 20 },
					}),
				);
				assertNoLeak(c, outcome);
				const calls = outcome.requests.filter((r) => stepOf(r.target, 'h') !== undefined);
				assertFirstCallCarries(c, calls, method);
				if (c.onTokenRequest.length) {
					const tokenRequest = outcome.requests.find((r) => stepOf(r.target, 't') !== undefined);
					assert.equal(tokenRequest?.origin, c.token, 'the token request went to the token URL');
					for (const secret of c.onTokenRequest)
						assert.ok(findSecret(tokenRequest as Seen, secret), `the token request lacks the ${secret.label}`);
				}
				const firstOutside = inside.indexOf(false);
				if (crossOrigin === 'error' && firstOutside >= 0) {
					assert.ok(outcome.error, 'a redirect to another origin under "error" fails the call');
					assert.ok(
						outcome.error.includes(`${originOf(chain.urls[firstOutside])} is not the credential's origin ${c.api}`),
						`the error names both origins: ${outcome.error}`,
					);
					assert.equal(calls.length, firstOutside, 'nothing was sent from the first hop outside on');
					assert.ok(
						calls.every((r) => r.origin === c.api),
						'every call that went was to the API origin',
					);
					return;
				}
				const fates = chain.urls.map((url, k) => reachable(url, inside[k], ignoreSsl));
				if (fates.includes('unknown')) return;
				const broken = fates.indexOf('no');
				if (broken >= 0) {
					assert.ok(outcome.error, 'a hop the client cannot verify fails the call');
					assert.equal(calls.length, broken, 'the calls before the unverifiable hop went');
					return;
				}
				assert.equal(outcome.error, undefined, 'the chain was followed to its end');
				assert.equal(calls.length, chain.urls.length, 'one request per hop');
				for (const [k, call] of calls.entries()) {
					assert.equal(call.origin, originOf(chain.urls[k]), `hop ${k} went where the Location said`);
					assert.equal(call.method, chain.methods[k], `hop ${k} used the method the redirect status says`);
					if (chain.methods[k] === 'POST')
						assert.ok(call.body.toString('utf8').includes(`kept-${id}`), `hop ${k}: a 307/308 POST keeps its body`);
					const userinfo = new URL(chain.urls[k]).username !== '';
					// Back on the credential's origin (compared with it, never with the previous hop), the credential goes again.
					if (inside[k] && !userinfo) {
						for (const secret of c.onCalls) assert.ok(findSecret(call, secret), `hop ${k} (${call.origin}) lacks the ${secret.label}`);
						if (chain.methods[k] === 'POST')
							for (const secret of c.inBody) assert.ok(findSecret(call, secret), `POST hop ${k} lacks the ${secret.label}`);
					}
					if (!inside[k]) {
						const sensitive = call.headers.filter(
							([name]) => /^(cookie|proxy-authorization)$/i.test(name) || (/^authorization$/i.test(name) && !userinfo),
						);
						assert.deepEqual(sensitive, [], `hop ${k} outside carries no Authorization or Cookie header`);
					}
				}
			},
			200,
		);
	});

	test('Test button: redirect chains of the Test URL, every type it tests', async () => {
		const kinds = ALL_KINDS.filter((kind) => kind !== 'authCode');
		const arbitrary = fc.record({ settings: settingsArb(kinds), home: homeArb(), hops: insideLeaningChainArb, openAiNode: fc.boolean() });
		await check(
			arbitrary,
			async ({ settings, home: homeIn, hops, openAiNode }) => {
				const id = `test-${++scenarioCounter}`;
				const path = (k: number) => `/s/${id}/h${k}/x`;
				const c = makeCase(settings, homeIn, id, path(0));
				// The Test button checks every key the credential has, each against its own origin.
				const envs: Array<{ name: string; origin: string; home: Home }> = [{ name: 'live', origin: c.baseOrigin, home: c.baseHome }];
				if (c.development) envs.push({ name: 'development', origin: c.development, home: c.baseHome });
				const secrets = c.secrets.map((secret) =>
					secret.label === 'live key'
						? { ...secret, allowed: new Set([c.baseOrigin]) }
						: secret.label === 'development key'
							? { ...secret, allowed: new Set([c.development as string]) }
							: secret,
				);
				let data = c.data;
				let suffix = path(0);
				if (c.kind === 'openAi') {
					// OpenAI's test calls {Base URL}/models.
					data = { ...c.data, baseUrl: `${c.api}/s/${id}/h0/v1` };
					suffix = `/s/${id}/h0/v1/models`;
				}
				// The servers answer the same Locations whichever key is tested (made for the Base URL's origin).
				const live = walk(`${envs[0].origin}${suffix}`, hops, envs[0].home, path, 'GET');
				const walks = envs.map((env, e) => (e === 0 ? live : walkFrom(`${env.origin}${suffix}`, live.locations, 'GET')));
				const firstOutside = walks.map((w, e) => w.urls.findIndex((url) => originOf(url) !== envs[e].origin));
				const nodeType = c.kind === 'openAi' && openAiNode ? `${PACKAGE}.openAiModels` : `${PACKAGE}.configuredApiCall`;
				const outcome = await scenario(id, { api: walks[0], caseOf: c }, async () => {
					const result = await testCredential(engine, c.type, data, nodeType);
					return { error: result.status === 'OK' ? undefined : result.message };
				});
				// A client certificate goes with each key's test request, and with the token request.
				const certificateTo = c.certificateTo.size ? new Set([...c.certificateTo, ...envs.map((env) => env.origin)]) : c.certificateTo;
				assertNoLeak({ ...c, secrets, certificateTo }, outcome);
				const calls = outcome.requests.filter((r) => stepOf(r.target, 'h') !== undefined);
				// The keys are tested one after the other: each one's requests follow the other's.
				let offset = 0;
				for (const [e, env] of envs.entries()) {
					const count = firstOutside[e] >= 0 ? firstOutside[e] : walks[e].urls.length;
					const own = calls.slice(offset, offset + count);
					offset += count;
					const key = secrets.find((secret) => secret.label === `${env.name} key`);
					assert.ok(own[0], `the Test URL's origin ${env.origin} was called (${env.name})`);
					assert.ok(
						own.every((r) => r.origin === env.origin),
						`every ${env.name} test request went to ${env.origin}`,
					);
					for (const secret of key ? [key] : c.onCalls)
						assert.ok(findSecret(own[0], secret), `the first test request to ${env.origin} carries the ${secret.label}`);
					if (firstOutside[e] >= 0) {
						assert.ok(outcome.error, 'a redirect to another origin fails the test');
						assert.ok(
							outcome.error.includes(`was redirected to`) &&
								outcome.error.includes(`${originOf(walks[e].urls[firstOutside[e]])} is not the credential's origin ${env.origin}`),
							`the failed test names the redirect and both origins: ${outcome.error}`,
						);
					}
				}
				const expected = firstOutside.reduce((sum, j, e) => sum + (j >= 0 ? j : walks[e].urls.length), 0);
				assert.equal(calls.length, expected, 'every hop inside was followed, and nothing sent from the first hop outside on');
				assert.ok(
					calls.every((r) => envs.some((env) => env.origin === r.origin)),
					"no test request left the credential's origins",
				);
				if (firstOutside.every((j) => j < 0)) assert.equal(outcome.error, undefined, 'a chain that stays on the origin passes the test');
			},
			120,
		);
	});

	test('Token requests: redirect chains of the token URL (password grant, custom token, JWT bearer), by the node and the Test button', async () => {
		const arbitrary = fc.record({
			settings: settingsArb(TOKEN_KINDS),
			home: homeArb(),
			hops: insideLeaningChainArb,
			viaTest: fc.boolean(),
		});
		await check(
			arbitrary,
			async ({ settings, home: homeIn, hops, viaTest }) => {
				const id = `tok-${++scenarioCounter}`;
				const apiPath = `/s/${id}/h0/x`;
				const tokenPath = (k: number) => `/s/${id}/t${k}/token`;
				const c = makeCase(settings, homeIn, id, apiPath);
				const tokenOrigin = c.token as string;
				const tokenHome: Home = { ...c.home, label: settings.tokenOnOtherPort ? 'C' : 'A' };
				const method = c.kind === 'customToken' ? String(c.data.requestMethod) : 'POST';
				const chain = walk(`${tokenOrigin}${tokenPath(0)}`, hops, tokenHome, tokenPath, method);
				const firstOutside = chain.urls.findIndex((url) => originOf(url) !== tokenOrigin);
				const outcome = await scenario(id, { token: chain, caseOf: c }, async () => {
					if (viaTest) {
						const result = await testCredential(engine, c.type, c.data);
						return { error: result.status === 'OK' ? undefined : result.message };
					}
					return await runCall(c, { authentication: c.type, method: 'GET', url: apiPath, options: { timeout: 20 } });
				});
				assertNoLeak(c, outcome);
				const tokenRequests = outcome.requests.filter((r) => stepOf(r.target, 't') !== undefined);
				const calls = outcome.requests.filter((r) => stepOf(r.target, 'h') !== undefined);
				assert.ok(tokenRequests[0], 'the token URL was called');
				for (const secret of c.onTokenRequest)
					assert.ok(findSecret(tokenRequests[0], secret), `the first token request lacks the ${secret.label}`);
				assert.ok(
					tokenRequests.every((r) => r.origin === tokenOrigin),
					"every token request went to the token URL's origin",
				);
				if (firstOutside >= 0) {
					assert.ok(outcome.error, 'a token request redirected to another origin fails');
					const foreign = originOf(chain.urls[firstOutside]);
					assert.ok(
						outcome.error.includes(foreign) && outcome.error.includes(tokenOrigin),
						`the error names both origins (${foreign}, ${tokenOrigin}): ${outcome.error}`,
					);
					assert.equal(tokenRequests.length, firstOutside, 'nothing was sent from the first hop outside on');
					assert.equal(calls.length, 0, 'without a token no call was made');
					assert.ok(
						outcome.requests.every((r) => r.origin === tokenOrigin),
						"no request of any kind left the token URL's origin",
					);
					return;
				}
				assert.equal(outcome.error, undefined, 'a token chain that stays on its origin gives a token');
				assert.equal(tokenRequests.length, chain.urls.length, 'one token request per hop');
				for (const [k, request] of tokenRequests.entries()) {
					assert.equal(request.method, chain.methods[k], `token hop ${k} used the method its redirect status says`);
					// 307 and 308 keep the method and the body; headers stay on the same origin.
					// (A Location with userinfo makes the client send that as Basic authentication instead.)
					const userinfo = new URL(chain.urls[k]).username !== '';
					if (chain.methods[k] !== 'GET' && !userinfo)
						for (const secret of c.onTokenRequest)
							assert.ok(findSecret(request, secret), `token hop ${k} (${request.method}) lacks the ${secret.label}`);
				}
				assertFirstCallCarries(c, calls, 'GET');
			},
			120,
		);
	});

	test('Pagination: next-URL links and cursor pages, with redirects, both cross-origin policies', async () => {
		const kinds = ALL_KINDS.filter((kind) => !['jwtExchange', 'customToken'].includes(kind));
		const pageArb = fc.record({ link: hopArb, redirect: fc.option(hopArb, { freq: 3 }), cursorNoise: noiseArb });
		const arbitrary = fc.record({
			settings: settingsArb(kinds),
			home: homeArb(),
			mode: fc.constantFrom('nextUrl' as const, 'cursor' as const),
			pages: fc.array(pageArb, { minLength: 1, maxLength: 4 }),
			crossOrigin: fc.constantFrom('strip' as const, 'error' as const),
			ignoreSsl: fc.boolean(),
		});
		await check(
			arbitrary,
			async ({ settings, home: homeIn, mode, pages, crossOrigin, ignoreSsl }) => {
				const id = `page-${++scenarioCounter}`;
				const pagePath = (p: number) => `/s/${id}/p${p}/x`;
				const landPath = (p: number) => `/s/${id}/q${p}/x`;
				const c = makeCase(settings, homeIn, id, pagePath(0));
				const cursors = pages.map((page, p) => `c${p}-${page.cursorNoise.post}`);
				// The requests the node makes, in order, as the package resolves them.
				const pageUrls: string[] = [`${c.api}${pagePath(0)}`];
				const links: string[] = [];
				for (let p = 0; p + 1 < pages.length; p++) {
					if (mode === 'nextUrl') {
						links.push(locationOf(pages[p].link, c.home, pagePath(p + 1), p));
						pageUrls.push(new URL(links[p], pageUrls[p]).toString());
					} else {
						const url = new URL(pageUrls[0]);
						url.searchParams.set('cursor', cursors[p + 1]);
						pageUrls.push(url.toString());
					}
				}
				const redirects = pages.map((page, p) => (page.redirect ? locationOf(page.redirect, c.home, landPath(p), p) : undefined));
				const sequence: Array<{ url: string; page: number }> = [];
				for (const [p, url] of pageUrls.entries()) {
					sequence.push({ url, page: p });
					if (redirects[p]) sequence.push({ url: new URL(redirects[p] as string, url).toString(), page: p });
				}
				const inside = sequence.map(({ url }) => originOf(url) === c.api);
				const pageOf = (seen: Seen): { page: number; landed: boolean } => {
					const segments = seen.target
						.split('?')[0]
						.split('/')
						.filter((segment) => /^[pq]\d+$/.test(segment));
					const last = segments[segments.length - 1];
					if (last.startsWith('q')) return { page: Number(last.slice(1)), landed: true };
					if (mode === 'nextUrl') return { page: Number(last.slice(1)), landed: false };
					const cursor = new URL(seen.target, 'http://x').searchParams.get('cursor');
					return { page: cursor ? Number(/^c(\d+)-/.exec(cursor)?.[1]) : 0, landed: false };
				};
				const pageReply = (seen: Seen): Reply => {
					const { page, landed } = pageOf(seen);
					const redirect = redirects[page];
					if (redirect && !landed) return { status: pages[page].redirect?.status ?? 302, headers: { location: redirect } };
					const last = page + 1 >= pages.length;
					return {
						status: 200,
						body: {
							items: [{ page }],
							next: last || mode !== 'nextUrl' ? '' : links[page],
							cursor: last || mode !== 'cursor' ? '' : cursors[page + 1],
						},
					};
				};
				const outcome = await scenario(id, { pages: pageReply, caseOf: c }, async () =>
					runCall(c, {
						authentication: c.type,
						environment: c.environment,
						method: 'GET',
						url: pagePath(0),
						response: { itemsPath: 'items' },
						pagination: mode === 'nextUrl' ? { mode, nextUrlPath: 'next' } : { mode, parameter: 'cursor', cursorPath: 'cursor' },
						options: { crossOrigin, ignoreSslIssues: ignoreSsl, timeout: 20 },
					}),
				);
				assertNoLeak(c, outcome);
				const calls = outcome.requests.filter((r) => /\/[pq]\d+\//.test(r.target));
				assertFirstCallCarries(c, calls, 'GET');
				const firstOutside = inside.indexOf(false);
				if (crossOrigin === 'error' && firstOutside >= 0) {
					assert.ok(outcome.error, 'a page or redirect to another origin under "error" fails the call');
					assert.ok(
						outcome.error.includes(`${originOf(sequence[firstOutside].url)} is not the credential's origin ${c.api}`),
						`the error names both origins: ${outcome.error}`,
					);
					assert.equal(calls.length, firstOutside, 'nothing was sent from the first page or hop outside on');
					return;
				}
				const fates = sequence.map(({ url }, k) => reachable(url, inside[k], ignoreSsl));
				if (fates.includes('unknown')) return;
				const broken = fates.indexOf('no');
				if (broken >= 0) {
					assert.ok(outcome.error, 'a page the client cannot verify fails the call');
					assert.equal(calls.length, broken, 'the requests before it went');
					return;
				}
				assert.equal(outcome.error, undefined, 'every page was fetched');
				assert.equal(outcome.output?.length, pages.length, 'one item per page');
				assert.equal(calls.length, sequence.length, 'one request per page and redirect');
				for (const [k, call] of calls.entries()) {
					assert.equal(call.origin, originOf(sequence[k].url), `request ${k} went where the link or Location said`);
					if (inside[k] && new URL(sequence[k].url).username === '') {
						for (const secret of c.onCalls)
							assert.ok(findSecret(call, secret), `page request ${k} on the credential's origin lacks the ${secret.label}`);
					}
				}
			},
			160,
		);
	});

	test('OpenAI Models: redirect chains from the Base URL, against the OpenAI-compatible server', async () => {
		const arbitrary = fc.record({
			noises: noisesArb,
			host: fc.constantFrom('127.0.0.1' as const, 'localhost' as const),
			hops: insideLeaningChainArb,
			operation: fc.constantFrom('list' as const, 'get' as const),
		});
		await check(
			arbitrary,
			async ({ noises, host, hops, operation }) => {
				const id = `oai-${++scenarioCounter}`;
				const path = (k: number) => `/s/${id}/h${k}/x`;
				const settings = { kind: 'openAi' as const, noises } as CredentialSettings;
				const c = makeCase(settings, { scheme: 'http', host }, id, path(0));
				// The rig's OpenAI server knows its own keys only: the key is its, the extra header generated.
				const key = { label: 'OpenAI key', value: OPENAI_KEYS.all, allowed: new Set([c.api]) };
				const extra = c.secrets.find((secret) => secret.label === 'extra header value') as Secret;
				const cc: Case = {
					...c,
					data: { ...c.data, apiKey: OPENAI_KEYS.all, baseUrl: `${c.api}/s/${id}/h0/v1` },
					secrets: [key, extra],
					onCalls: [key, extra],
				};
				const rest = operation === 'list' ? '/models' : '/models/gpt-4o';
				const chain = walk(`${c.api}/s/${id}/h0/v1${rest}`, hops, c.home, path, 'GET');
				const firstOutside = chain.urls.findIndex((url) => originOf(url) !== c.api);
				const proxy = async (seen: Seen): Promise<Reply> => {
					const headers = Object.fromEntries(
						seen.headers.filter(([name]) => /^(authorization|openai-organization|openai-project)$/i.test(name)),
					);
					const response = await fetch(`${openai.url}/v1${rest}`, { headers });
					return {
						status: response.status,
						body: Buffer.from(await response.arrayBuffer()),
						headers: { 'content-type': response.headers.get('content-type') ?? 'application/json' },
					};
				};
				const outcome = await scenario(id, { api: chain, apiFinal: proxy, caseOf: cc }, async () =>
					runCall(
						cc,
						{ resource: 'model', operation, returnAll: true, modelId: { __rl: true, mode: 'id', value: 'gpt-4o' } },
						`${PACKAGE}.openAiModels`,
					),
				);
				assertNoLeak(cc, outcome);
				const calls = outcome.requests.filter((r) => stepOf(r.target, 'h') !== undefined);
				assertFirstCallCarries(cc, calls, 'GET');
				if (firstOutside >= 0) {
					assert.ok(outcome.error, 'a redirect to another origin fails the OpenAI call');
					assert.ok(
						outcome.error.includes(`${originOf(chain.urls[firstOutside])} is not the credential's origin ${c.api}`),
						`the error names both origins: ${outcome.error}`,
					);
					assert.equal(calls.length, firstOutside, 'nothing was sent from the first hop outside on');
					return;
				}
				assert.equal(calls.length, chain.urls.length, 'every hop on the origin was followed');
				// Userinfo in the last URL replaces the key by Basic authentication: OpenAI then refuses.
				if (new URL(chain.urls[chain.urls.length - 1]).username !== '') return;
				assert.equal(outcome.error, undefined, 'a chain on the origin reaches OpenAI');
				assert.equal(
					operation === 'list' ? outcome.output?.length : (outcome.output?.[0] as { id?: string })?.id,
					operation === 'list' ? 7 : 'gpt-4o',
					'the OpenAI server accepted the key',
				);
			},
			80,
		);
	});

	test("Allowed HTTP Request Domains narrow the origin: a list without the API's host sends nothing", async () => {
		const listArb = fc.record({
			form: fc.constantFrom('exact', 'upper', 'trailingDot', 'spaced', 'wildcard', 'other', 'empty'),
			extra: fc.boolean(),
		});
		const arbitrary = fc.record({
			settings: settingsArb(['headerKey', 'basic', 'custom']),
			home: homeArb(),
			hops: chainArb,
			list: listArb,
			crossOrigin: fc.constantFrom('strip' as const, 'error' as const),
		});
		await check(
			arbitrary,
			async ({ settings, home: homeIn, hops, list, crossOrigin }) => {
				const id = `dom-${++scenarioCounter}`;
				const path = (k: number) => `/s/${id}/h${k}/x`;
				const c = makeCase({ ...settings, environment: 'live', developmentBaseUrl: false }, homeIn, id, path(0));
				const host = c.home.host;
				const entry = {
					exact: host,
					upper: host.toUpperCase(),
					trailingDot: `${host}.`,
					spaced: `  ${host} `,
					wildcard: `*.${host}`,
					other: '127.0.0.2',
					empty: '',
				}[list.form];
				const allowedDomains = [entry, ...(list.extra ? ['api.example.com'] : [])].filter(Boolean).join(', ');
				// n8n's own reading of the list (lower case, trailing dot dropped, "*." for subdomains only).
				const permitted = [entry.trim().toLowerCase().replace(/\.$/, '')].includes(host);
				// A trailing dot: see the separate test below (the node reads the list otherwise than n8n).
				const settled = list.form !== 'trailingDot';
				const cc: Case = { ...c, data: { ...c.data, allowedHttpRequestDomains: 'domains', allowedDomains } };
				const chain = walk(`${c.api}${path(0)}`, hops, c.home, path, 'GET');
				const outcome = await scenario(id, { api: chain, caseOf: cc }, async () =>
					runCall(cc, {
						authentication: cc.type,
						environment: 'live',
						method: 'GET',
						url: path(0),
						options: { crossOrigin, ignoreSslIssues: true, timeout: 20 },
					}),
				);
				assertNoLeak(cc, outcome);
				const calls = outcome.requests.filter((r) => stepOf(r.target, 'h') !== undefined);
				if (!settled) return;
				if (!permitted) {
					assert.ok(outcome.error, `a list (${JSON.stringify(allowedDomains)}) without ${host} stops the call`);
					assert.equal(outcome.requests.length, 0, 'nothing was sent at all');
					return;
				}
				assert.equal(
					outcome.error === undefined || crossOrigin === 'error' || chain.urls.some((url) => reachable(url, false, true) === 'unknown'),
					true,
					`a list (${JSON.stringify(allowedDomains)}) that names ${host} lets the call through: ${outcome.error}`,
				);
				assertFirstCallCarries(cc, calls, 'GET');
			},
			80,
		);
	});

	test("Items with their own origins (no Base URL), two calls in flight: each item's credential stays on its own first URL's origin", async () => {
		const arbitrary = fc.record({
			settings: settingsArb(['headerKey', 'queryKey', 'basic', 'custom', 'passwordGrant', 'jwtSelfSigned', 'authCode']),
			home: homeArb(),
			hops: fc.tuple(chainArb, chainArb),
			crossOrigin: fc.constantFrom('strip' as const, 'error' as const),
			ignoreSsl: fc.boolean(),
		});
		await check(
			arbitrary,
			async ({ settings, home: homeIn, hops, crossOrigin, ignoreSsl }) => {
				const ids = [`two-${++scenarioCounter}`, `two-${scenarioCounter}-second`];
				const c = makeCase({ ...settings, environment: 'live', developmentBaseUrl: false, tokenOnOtherPort: false }, homeIn, ids[0], '/x');
				const { baseUrl: _dropped, ...data } = c.data;
				// Item 0 calls the usual server, item 1 another port with the same scheme and host.
				const homes: Home[] = [c.home, { ...c.home, label: 'C' }];
				const origins = homes.map(homeOrigin);
				const walks = ids.map((id, i) => walk(`${origins[i]}/s/${id}/h0/x`, hops[i], homes[i], (k) => `/s/${id}/h${k}/x`, 'GET'));
				const cc: Case = { ...c, data, certificateTo: c.certificateTo.size ? new Set([...c.certificateTo, ...origins]) : c.certificateTo };
				const outcome = await scenario(
					ids[0],
					{ api: walks[0], caseOf: c },
					async () => {
						const credential = { type: c.type, ...engine.credentials.add(c.type, data) };
						const result = await engine.run(
							callWorkflow(
								{
									authentication: c.type,
									environment: 'live',
									method: 'GET',
									url: '={{ $json.url }}',
									options: { concurrency: 2, crossOrigin, ignoreSslIssues: ignoreSsl, timeout: 20 },
								},
								{ credential, items: walks.map((w) => ({ url: w.urls[0] })), continueOnFail: true },
							),
							{ mode: 'trigger' },
						);
						return { error: nodeError(result), output: result.output('Call') as unknown[] };
					},
					{ [ids[1]]: { api: walks[1], caseOf: c } },
				);
				// Each item's secrets (key, token...) may go to that item's first origin only; token-URL secrets to the token URL.
				for (const [i, id] of ids.entries()) {
					const requests = outcome.requests.filter((r) => r.target.startsWith(`/s/${id}/h`));
					const remap = (secret: Secret) => (secret.allowed.has(c.api) ? { ...secret, allowed: new Set([origins[i]]) } : secret);
					const perItem: Case = {
						...cc,
						secrets: c.secrets.map(remap),
						dynamicSecrets: (seen) => c.dynamicSecrets(seen).map(remap),
					};
					assertNoLeak(perItem, { ...outcome, requests, handshakes: [] }, false);
					assertFirstCallCarries({ ...perItem, api: origins[i] }, requests, 'GET');
					const firstOutside = walks[i].urls.findIndex((url) => originOf(url) !== origins[i]);
					if (crossOrigin === 'error' && firstOutside >= 0) {
						assert.equal(requests.length, firstOutside, `item ${i}: nothing was sent from its first hop outside on`);
						const item = (outcome.output?.[i] ?? {}) as { error?: string };
						assert.ok(
							String(item.error).includes(`${originOf(walks[i].urls[firstOutside])} is not the credential's origin ${origins[i]}`),
							`item ${i}'s error names both origins: ${item.error}`,
						);
					}
				}
				// Everything else (token requests, handshakes): secrets of the token URL stay there, and no certificate strays.
				const others = (secret: Secret) => !secret.allowed.has(c.api);
				assertNoLeak(
					{ ...cc, secrets: c.secrets.filter(others), dynamicSecrets: (seen) => c.dynamicSecrets(seen).filter(others) },
					outcome,
					origins,
				);
			},
			50,
		);
	});

	test('Redirects that repeat the query string they received (an HTTPS upgrade, a moved API): a credential in the query stays home', async () => {
		const arbitrary = fc.record({
			settings: settingsArb(['queryKey', 'custom', 'customToken', 'authCode']),
			home: homeArb(),
			hops: chainArb,
			echo: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
			crossOrigin: fc.constantFrom('strip' as const, 'error' as const),
		});
		await check(
			arbitrary,
			async ({ settings, home: homeIn, hops, echo, crossOrigin }) => {
				const id = `echo-${++scenarioCounter}`;
				const path = (k: number) => `/s/${id}/h${k}/x`;
				// Every one of these puts a secret into the query string of its calls.
				const c = makeCase({ ...settings, placement: 'query', tokenType: 'mac' }, homeIn, id, path(0));
				const chain = walk(`${c.api}${path(0)}`, hops, c.home, path, 'GET');
				const echoed = new Set(echo.flatMap((on, k) => (on ? [k] : [])));
				const outcome = await scenario(id, { api: chain, echo: echoed, caseOf: c }, async () =>
					runCall(c, {
						authentication: c.type,
						environment: c.environment,
						method: 'GET',
						url: path(0),
						options: { crossOrigin, ignoreSslIssues: true, timeout: 20 },
					}),
				);
				assertNoLeak(c, outcome);
				assertFirstCallCarries(
					c,
					outcome.requests.filter((r) => stepOf(r.target, 'h') !== undefined),
					'GET',
				);
			},
			100,
		);
	});
});

// Each of these fails on a finding of the properties above, in its smallest form; see the
// maintainers' report. They pass once the package is fixed.
describe('findings', () => {
	// Found by "Redirects that repeat the query string they received" (seed 20240611). An API that
	// redirects to another origin keeping the query it received (an HTTP to HTTPS upgrade, a moved
	// host) gets a query-borne secret (Private Key in URL, a self-handled query parameter, a token
	// sent as a query parameter) sent on to that origin: under "Go On Without the Credential" the
	// next hop drops the credential's headers and its `qs`, but the Location's own URL is sent as
	// it is (credentials/common/transport.ts, sendFollowing: nothing checks a hop outside the
	// boundary for the credential's values).
	test('Private Key in URL: an HTTP to HTTPS upgrade that keeps the query string does not carry the key to the HTTPS origin', async () => {
		const id = `upgrade-${++scenarioCounter}`;
		const port = net.servers.A.port;
		const api = `http://127.0.0.1:${port}`;
		const key = secretValue({ pre: '', post: '' }, 'any');
		const data = { baseUrl: api, testUrl: '/x', parameterName: 'api_key', apiKey: key.value };
		const c = { type: TYPES.queryKey, data } as unknown as Case;
		const upgrade = walkFrom(`${api}/s/${id}/h0/x`, [{ status: 301, location: `https://127.0.0.1:${port}/s/${id}/h1/x` }], 'GET');
		// Ignore SSL Issues only because the rig's CA is private: a real API's HTTPS origin has a public certificate.
		const outcome = await scenario(id, { api: upgrade, echo: new Set([0]) }, async () =>
			runCall(c, { authentication: c.type, environment: 'live', method: 'GET', url: `/s/${id}/h0/x`, options: { ignoreSslIssues: true } }),
		);
		assert.ok(findSecret(outcome.requests[0], key), 'the key went to the API');
		const leaks = findLeaks(outcome.requests, [{ label: 'live key', ...key, allowed: new Set([api]) }]);
		assert.equal(leaks.length, 0, `the key reached another origin:\n${show(leaks)}`);
	});

	// Found by "Allowed HTTP Request Domains narrow the origin" (seed 20240611): n8n and the credential's own code (boundary.ts
	// allowedDomainsOf) drop a trailing dot from each listed domain; CallSession.boundaryFor
	// (nodes/shared/session.ts) does not, so "api.example.com." in the list blocks every call of
	// the nodes to api.example.com while n8n's HTTP Request node and the token requests accept it.
	// Fail-closed (nothing leaks), but the same list means two things.
	test('Allowed HTTP Request Domains: a listed domain with a trailing dot is the same domain, for the nodes as for n8n', async () => {
		const id = `dot-${++scenarioCounter}`;
		const api = `http://127.0.0.1:${net.servers.A.port}`;
		const key = secretValue({ pre: '', post: '' }, 'header');
		const c = {
			type: TYPES.headerKey,
			kind: 'headerKey',
			data: {
				baseUrl: api,
				testUrl: '/x',
				headerName: 'X-API-Key',
				prefixFormat: 'plain',
				apiKey: key.value,
				allowedHttpRequestDomains: 'domains',
				allowedDomains: '127.0.0.1.',
			},
		} as unknown as Case;
		const outcome = await scenario(id, {}, async () =>
			runCall(c, { authentication: c.type, environment: 'live', method: 'GET', url: `/s/${id}/h0/x` }),
		);
		assert.equal(outcome.error, undefined, "the call goes, as n8n's own HTTP Request node would let it");
		assert.ok(outcome.requests[0] && findSecret(outcome.requests[0], { value: key.value, tag: key.tag }), 'with the key');
	});

	// Noticed while building the rig, not a leak: n8n-core's httpRequestWithAuthentication sets
	// requestOptions.abortSignal to the execution's Stop signal, replacing the whole-answer deadline
	// CallSession.call gives every hop (nodes/shared/session.ts, withCredential). Without a
	// credential the node's Timeout ends a slow body; with one, nothing does.
	test("the node's Timeout bounds the whole answer with a credential as without", async () => {
		const slow = http.createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.write('{"a":');
			const timer = setTimeout(() => res.end('1}'), 3000);
			res.on('close', () => clearTimeout(timer));
		});
		await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', () => resolve()));
		const api = `http://127.0.0.1:${(slow.address() as { port: number }).port}`;
		try {
			const c = {
				type: TYPES.headerKey,
				data: { baseUrl: api, testUrl: '/x', headerName: 'X-Key', prefixFormat: 'plain', apiKey: 'k-deadline-1' },
			} as unknown as Case;
			for (const authentication of ['none', c.type]) {
				const started = Date.now();
				const { error } = await runCall(c, {
					authentication,
					environment: 'live',
					method: 'GET',
					url: `${api}/slow`,
					options: { timeout: 1 },
				});
				assert.match(String(error), /did not finish within 1 s/, `${authentication}: the Timeout ended the call`);
				assert.ok(Date.now() - started < 2500, `${authentication}: within the Timeout (took ${Date.now() - started} ms)`);
			}
		} finally {
			slow.closeAllConnections();
			await new Promise<void>((resolve) => slow.close(() => resolve()));
		}
	});
});
