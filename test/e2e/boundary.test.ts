// A credential's secrets stay on its own origin, in a real n8n with its default Allowed HTTP
// Request Domains (All). For a header key (X-API-Key), a query key, Basic, self-handled
// (header, query and body field), a password grant and OpenAI, through Configured API Call:
// a redirect chain API → other host → the same other host → back to the API (302, and 307
// POSTs with a JSON and a form body), https → http, a redirect or next page whose URL repeats
// the query string, a next page on another host, Other Origins = error; the Test button with a
// Test URL that redirects away; a token URL that 307-redirects away; token endpoints that answer
// a token as plain text or as a form in text/plain; and n8n's own HTTP Request node with the
// package's credentials. Every request the other host receives is scanned for every secret
// (raw, URL- and form-encoded, JSON-escaped, base64; request line, headers and body), and so is
// everything n8n shows or stores (node output and errors, Test button answers, executions,
// database, files, debug log). Positive control: the credential's own servers received every
// secret that is meant to leave n8n.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
	makePki,
	sendJson,
	startApiServer,
	startOAuth2Server,
	type ApiServer,
	type OAuth2Server,
	type Pki,
	type RecordedRequest,
} from '../rig/index.ts';
import { ensureN8n, packPackage, startN8n, type ExecutionResult, type N8nInstance } from './n8n.ts';
import { Canaries, describeFindings } from './secrets/canaries.ts';
import { startCaptureProxy, type CaptureProxy, type Exchange } from './secrets/capture.ts';
import { call, continuing, fanOut, httpRequest, type Node, type Reference } from './secrets/nodes.ts';
import { databaseRows, filesBelow } from './secrets/storage.ts';
import { manualTrigger } from './workflows.ts';

const started = performance.now();
const C = new Canaries();
const USER = 'grace';
const CLIENT_ID = 'n8n-app';

C.make('headerKey.apiKey');
C.make('queryKey.apiKey');
C.make('basic.password');
C.make('selfHandled.header');
C.make('selfHandled.query');
C.make('selfHandled.body');
C.make('passwordGrant.password');
C.make('passwordGrant.clientSecret');
C.make('openai.apiKey');
C.make('openai.extraHeader');
// Tokens that token endpoints answer in a shape the credential does not accept.
C.make('token.plainText', { plain: true });
C.make('token.formInText', { plain: true });
const v = (label: string) => C.value(label);
/** What the other host answers as a token: nothing from it may be used. */
const OTHER_TOKEN = `other-host-token-${randomBytes(12).toString('hex')}`;
C.addToken('token offered by the other host', OTHER_TOKEN);

let pki: Pki;
let caFolder: string;
let n8n: N8nInstance;
let api: ApiServer; // every credential's API (HTTP)
let apiTls: ApiServer; // the same API over HTTPS (for https → http)
let other: ApiServer; // another host: redirects and next pages lead there
let auth: OAuth2Server; // the password grant's token endpoint
let authProxy: CaptureProxy; // in front of `auth`, to see what the token endpoint received

// ---- the servers ----

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function authorize(r: RecordedRequest): boolean {
	const h = r.headers;
	if (first(h['x-api-key']) === v('headerKey.apiKey')) return true;
	if (first(r.query.key) === v('queryKey.apiKey')) return true;
	if (h.authorization === `Basic ${Buffer.from(`${USER}:${v('basic.password')}`).toString('base64')}`) return true;
	if (h['x-app-token'] === v('selfHandled.header') && first(r.query.token) === v('selfHandled.query')) return true;
	if (h.authorization === `Bearer ${v('openai.apiKey')}`) return true;
	const bearer = /^Bearer (\S+)$/.exec(h.authorization ?? '')?.[1];
	return Boolean(bearer && auth.validate(bearer).active);
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: unknown, r: RecordedRequest) => void;

const redirectTo = (res: ServerResponse, status: number, location: string) => {
	res.writeHead(status, { location, 'content-length': 0 });
	res.end();
};
/** The query string as received (with whatever the credential put there). */
const searchOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').search.slice(1);
const code = (r: RecordedRequest) => Number(first(r.query.code) ?? 302);
const caseOf = (r: RecordedRequest) => String(first(r.query.case) ?? '');

/** The API's routes; `self` is the server they run on (HTTP or HTTPS). */
function apiRoutes(self: () => ApiServer): Record<string, Handler> {
	const chainStart = (r: RecordedRequest, extra = '') =>
		`${other.url}/hop1?case=${encodeURIComponent(caseOf(r))}&code=${code(r)}&back=${encodeURIComponent(self().url)}${extra}`;
	return {
		// API → other host → the same other host → back to the API.
		'* /api/chain': (_req, res, _body, r) => redirectTo(res, code(r), chainStart(r)),
		// The same, with a Location that repeats the request's query string (a moved API often does).
		'* /api/chain-echo': (req, res, _body, r) => redirectTo(res, code(r), `${chainStart(r)}&${searchOf(req)}`),
		'* /api/back': (_req, res, _body, r) =>
			sendJson(res, 200, { back: true, method: r.method, case: caseOf(r), note: (r.body as { note?: string })?.note }),
		'* /api/test-away': (_req, res, _body, r) =>
			redirectTo(res, 302, `${other.url}/landing?case=${encodeURIComponent(caseOf(r) || 'test button')}`),
		'* /api/pages': (_req, res, _body, r) =>
			sendJson(res, 200, { items: [{ n: 1 }], next: `${other.url}/page2?case=${encodeURIComponent(caseOf(r))}` }),
		'* /api/pages-echo': (req, res, _body, r) =>
			sendJson(res, 200, { items: [{ n: 1 }], next: `${other.url}/page2?case=${encodeURIComponent(caseOf(r))}&${searchOf(req)}` }),
		'* /api/models': (_req, res) =>
			sendJson(res, 200, { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'rig' }] }),
		'* /openai-away/models': (_req, res) => redirectTo(res, 302, `${other.url}/landing?case=openai%20test%20button`),
		// Token endpoints on the API's own origin.
		'* /token307': (_req, res) => redirectTo(res, 307, `${other.url}/token`),
		'* /token-text': (_req, res) => {
			const text = v('token.plainText');
			res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
			res.end(text);
		},
		'* /token-form-text': (_req, res) => {
			const text = `access_token=${encodeURIComponent(v('token.formInText'))}&token_type=bearer&expires_in=3600`;
			res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
			res.end(text);
		},
	};
}

const otherRoutes: Record<string, Handler> = {
	'* /hop1': (req, res, _body, r) => redirectTo(res, code(r), `${other.url}/hop2?${searchOf(req)}`),
	'* /hop2': (_req, res, _body, r) => redirectTo(res, code(r), `${first(r.query.back)}/api/back?case=${encodeURIComponent(caseOf(r))}`),
	'* /landing': (_req, res) => sendJson(res, 200, { landed: true }),
	'* /page2': (_req, res) => sendJson(res, 200, { items: [{ n: 2 }], next: '' }),
	'* /token': (_req, res) => sendJson(res, 200, { access_token: OTHER_TOKEN, token_type: 'bearer', expires_in: 3600 }),
};

before(
	async () => {
		pki = await makePki();
		other = await startApiServer({ routes: otherRoutes });
		api = await startApiServer({ authorize, routes: apiRoutes(() => api) });
		apiTls = await startApiServer({ tls: 'server', authorize, routes: apiRoutes(() => apiTls) });
		auth = await startOAuth2Server({
			clients: [{ id: CLIENT_ID, secret: v('passwordGrant.clientSecret') }],
			users: [{ username: USER, password: v('passwordGrant.password') }],
		});
		authProxy = await startCaptureProxy(auth.url);
		// The OpenAI credential has no CA field: n8n trusts the rig's CA for it.
		caFolder = mkdtempSync(join(tmpdir(), 'boundary-ca-'));
		writeFileSync(join(caFolder, 'ca.pem'), pki.ca.cert);
		await ensureN8n();
		n8n = await startN8n({ tarball: packPackage(), env: { NODE_EXTRA_CA_CERTS: join(caFolder, 'ca.pem') } });
	},
	{ timeout: 20 * 60_000 },
);

after(async () => {
	await n8n?.stop();
	await Promise.all([api, apiTls, other, auth, authProxy].map((server) => server?.close()));
	if (caFolder) rmSync(caFolder, { recursive: true, force: true });
	console.log(
		`[boundary] ${C.count()} secrets (${C.needleCount()} encoded forms); ${places.length} places scanned; file run time ${((performance.now() - started) / 1000).toFixed(1)} s`,
	);
	for (const note of notes) console.log(`[boundary] note: ${note}`);
});

// ---- evidence ----

const places: { place: string; text: string }[] = [];
const notes = new Set<string>();
const record = (place: string, value: unknown) =>
	places.push({ place, text: typeof value === 'string' ? value : JSON.stringify(value ?? null) });

/** The whole request: its line (raw target and decoded query), headers and body. */
const requestText = (r: RecordedRequest) =>
	JSON.stringify({ line: `${r.method} ${r.url}`, path: r.path, query: r.query, headers: r.headers, body: r.rawBody.toString('latin1') });
const exchangeText = (e: Exchange) => JSON.stringify({ method: e.method, url: e.url, headers: e.headers, body: e.body.toString('latin1') });

/** Tokens the token endpoint issued become secrets too. */
function harvestTokens(): void {
	for (const e of authProxy?.exchanges ?? []) {
		try {
			const answer = JSON.parse(e.responseBody.toString('utf8')) as { access_token?: unknown; refresh_token?: unknown };
			if (typeof answer.access_token === 'string') C.addToken('access_token issued', answer.access_token);
			if (typeof answer.refresh_token === 'string') C.addToken('refresh_token issued', answer.refresh_token);
		} catch {
			// not JSON
		}
	}
}

/** No secret in what the other host received from `since` on: request line, headers and body. */
function assertOtherHostClean(what: string, since: number): RecordedRequest[] {
	harvestTokens();
	const received = other.requests.slice(since);
	const findings = received.flatMap((r) => C.scan(`${what}: other host received ${r.method} ${r.url}`, requestText(r)));
	assert.equal(findings.length, 0, `${what}: the other host received secrets\n${describeFindings(findings)}`);
	for (const r of received) {
		assert.equal(r.headers.authorization, undefined, `${what}: Authorization sent to the other host (${r.path})`);
		assert.equal(r.headers.cookie, undefined, `${what}: Cookie sent to the other host (${r.path})`);
	}
	return received;
}

function assertRecordedClean(what: string, from: number): void {
	harvestTokens();
	const findings = places.slice(from).flatMap(({ place, text }) => C.scan(place, text));
	assert.equal(findings.length, 0, `${what}: ${findings.length} leak(s)\n${describeFindings(findings)}`);
}

async function run(label: string, workflow: { name: string; nodes: unknown[]; connections: unknown }): Promise<ExecutionResult> {
	const id = await n8n.createWorkflow(workflow);
	const result = await n8n.runWorkflowManually(id, { timeoutMs: 120_000 });
	record(`${label}: execution ${result.id} as the REST API returns it`, await n8n.rest('GET', `/executions/${result.id}`));
	record(`${label}: execution ${result.id} decoded`, result.raw);
	return result;
}

async function testButton(label: string, id: string) {
	const result = await n8n.testCredential({ id });
	record(`${label}: Test button answer`, result);
	return result;
}

/** Error text of a node in its last run: the thrown error, or the error item of continueOnFail. */
function errorOf(result: ExecutionResult, node: string): string {
	const run = result.nodes[node];
	if (!run) return `(node ${node} did not run)`;
	if (run.error) return `${run.error.message} ${run.error.description ?? ''}`;
	const item = run.json[0] ?? {};
	return typeof item.error === 'string' ? `${item.error} ${item.description ?? ''}` : JSON.stringify(item.error ?? item);
}

const originOf = (server: { url: string }) => new URL(server.url).origin;
const byCase = (received: RecordedRequest[], name: string) => received.filter((r) => caseOf(r) === name);

// ---- the credentials ----

interface Subject {
	label: string;
	type: string;
	data: (base: ApiServer) => Record<string, unknown>;
	/** Whether the credential has the TLS fields (a private CA); else n8n trusts the rig CA. */
	tlsFields: boolean;
	/** Secrets in the query string: a URL that repeats the query carries them. */
	inQuery: boolean;
}

const at = (base: ApiServer) => ({ baseUrl: `${base.url}/api`, testUrl: '/me' });
const tls = (base: ApiServer) => (base === apiTls ? { useTls: true, clientCertificateFormat: 'none', caCertificates: pki.ca.cert } : {});

const subjects: Subject[] = [
	{
		label: 'header key',
		type: 'apiConnectorHeaderKeyApi',
		tlsFields: true,
		inQuery: false,
		data: (base) => ({ headerName: 'X-API-Key', prefixFormat: 'plain', apiKey: v('headerKey.apiKey'), ...at(base), ...tls(base) }),
	},
	{
		label: 'query key',
		type: 'apiConnectorQueryKeyApi',
		tlsFields: true,
		inQuery: true,
		data: (base) => ({ parameterName: 'key', apiKey: v('queryKey.apiKey'), ...at(base), ...tls(base) }),
	},
	{
		label: 'basic',
		type: 'apiConnectorBasicAuthApi',
		tlsFields: true,
		inQuery: false,
		data: (base) => ({ username: USER, password: v('basic.password'), ...at(base), ...tls(base) }),
	},
	{
		label: 'self-handled',
		type: 'apiConnectorCustomAuthApi',
		tlsFields: true,
		inQuery: true,
		data: (base) => ({
			headers: { values: [{ name: 'X-App-Token', value: v('selfHandled.header') }] },
			queryParameters: { values: [{ name: 'token', value: v('selfHandled.query') }] },
			bodyFields: { values: [{ name: 'secret', value: v('selfHandled.body') }] },
			...at(base),
			...tls(base),
		}),
	},
	{
		label: 'password grant',
		type: 'apiConnectorPasswordGrantOAuth2Api',
		tlsFields: true,
		inQuery: false,
		data: (base) => ({
			tokenUrl: `${authProxy.url}/token`,
			username: USER,
			password: v('passwordGrant.password'),
			clientId: CLIENT_ID,
			clientSecret: v('passwordGrant.clientSecret'),
			...at(base),
			...tls(base),
		}),
	},
	{
		label: 'OpenAI',
		type: 'apiConnectorOpenAiApi',
		tlsFields: false,
		inQuery: false,
		data: (base) => ({
			apiKey: v('openai.apiKey'),
			baseUrl: `${base.url}/api`,
			extraHeaders: { values: [{ name: 'X-Proxy-Token', value: v('openai.extraHeader') }] },
		}),
	},
];

for (const s of subjects) {
	describe(`${s.label} (${s.type})`, () => {
		let cred: Reference;
		let credTls: Reference;
		before(async () => {
			cred = await n8n.createCredential({ name: `Boundary ${s.label}`, type: s.type, data: s.data(api) });
			credTls = await n8n.createCredential({ name: `Boundary ${s.label} https`, type: s.type, data: s.data(apiTls) });
		});

		test('Configured API Call: redirect chains, https → http, next pages on another host, Other Origins = error', async () => {
			const mark = places.length;
			const since = other.requests.length;
			const sinceApi = { http: api.requests.length, https: apiTls.requests.length };
			const post = (contentType: string) => ({
				method: 'POST',
				sendBody: true,
				contentType,
				bodyParameters: { parameters: [{ name: 'note', value: 'hello' }] },
			});
			const pages = (path: string, extra: Record<string, unknown> = {}) => ({
				url: path,
				response: { itemsPath: 'items' },
				pagination: { mode: 'nextUrl', nextUrlPath: 'next', maxPages: 5 },
				...extra,
			});
			const nodes: Node[] = [
				call('302 chain', cred, { url: '/chain?case=302&code=302' }),
				call('307 chain JSON', cred, { url: '/chain?case=307json&code=307', ...post('json') }),
				call('307 chain form', cred, { url: '/chain?case=307form&code=307', ...post('form') }),
				call('https to http', credTls, { url: '/chain?case=https&code=302' }),
				continuing(call('error on other origin', cred, { url: '/chain?case=error&code=302', options: { crossOrigin: 'error' } })),
				call('next page on another host', cred, pages('/pages?case=page')),
				continuing(call('next page, error', cred, pages('/pages?case=pageerror', { options: { crossOrigin: 'error' } }))),
			];
			const result = await run(`${s.label} calls`, fanOut(`Boundary ${s.label} calls`, manualTrigger(), nodes));
			const received = other.requests.slice(since);

			// The chains end back on the API, with the credential again (the API answers only with it).
			assert.deepEqual(result.nodes['302 chain'].json, [{ back: true, method: 'GET', case: '302' }], errorOf(result, '302 chain'));
			assert.deepEqual(
				result.nodes['307 chain JSON'].json,
				[{ back: true, method: 'POST', case: '307json', note: 'hello' }],
				errorOf(result, '307 chain JSON'),
			);
			assert.deepEqual(
				result.nodes['307 chain form'].json,
				[{ back: true, method: 'POST', case: '307form', note: 'hello' }],
				errorOf(result, '307 chain form'),
			);
			assert.deepEqual(
				result.nodes['https to http'].json,
				[{ back: true, method: 'GET', case: 'https' }],
				errorOf(result, 'https to http'),
			);
			for (const name of ['302', '307json', '307form', 'https']) {
				const hops = byCase(received, name);
				assert.deepEqual(
					hops.map((r) => r.path),
					['/hop1', '/hop2'],
					`${name}: the other host got ${hops.map((r) => r.path).join(', ')}`,
				);
				if (name.startsWith('307')) for (const hop of hops) assert.equal(hop.method, 'POST', `${name}: 307 changed the method`);
				if (name.startsWith('307'))
					for (const hop of hops) assert.equal((hop.body as { note?: string })?.note, 'hello', `${name}: 307 lost the body`);
			}
			assert.ok(
				apiTls.requests.slice(sinceApi.https).some((r) => r.path === '/api/back'),
				'the https chain did not come back to the API',
			);

			// Other Origins = error: nothing reaches the other host, and the message names it.
			assert.match(errorOf(result, 'error on other origin'), new RegExp(escape(originOf(other))));
			assert.equal(byCase(received, 'error').length, 0, 'Other Origins = error: the other host was called');
			assert.match(errorOf(result, 'next page, error'), new RegExp(escape(originOf(other))));
			assert.equal(byCase(received, 'pageerror').length, 0, 'Other Origins = error: the next page on the other host was fetched');

			// The next page on another host is fetched, without the credential.
			assert.deepEqual(result.nodes['next page on another host'].json, [{ n: 1 }, { n: 2 }], errorOf(result, 'next page on another host'));
			assert.equal(byCase(received, 'page').length, 1);

			assertOtherHostClean(`${s.label}: redirect chains and next pages`, since);
			assertRecordedClean(`${s.label}: node outputs, errors and the stored execution`, mark);
			// Positive control: the API itself received the credential.
			assert.ok(
				api.requests.slice(sinceApi.http).some((r) => r.path === '/api/back' && authorize(r)),
				'the API never received the credential',
			);
		});

		test('a redirect, and a next page, on another host whose URL repeats the query string: the credential does not go there', async () => {
			// A moved API (301 to a new domain) or a gateway's absolute next links often repeat the
			// request's query string, and with it whatever the credential put there.
			const mark = places.length;
			const since = other.requests.length;
			const nodes: Node[] = [
				continuing(call('redirect repeating the query', cred, { url: '/chain-echo?case=echo&code=302' })),
				continuing(
					call('next page repeating the query', cred, {
						url: '/pages-echo?case=pageecho',
						response: { itemsPath: 'items' },
						pagination: { mode: 'nextUrl', nextUrlPath: 'next', maxPages: 5 },
					}),
				),
			];
			const result = await run(`${s.label} URLs repeating the query`, fanOut(`Boundary ${s.label} echo`, manualTrigger(), nodes));
			const received = other.requests.slice(since);
			assert.ok(
				byCase(received, 'echo').length > 0 && byCase(received, 'pageecho').length > 0,
				'the other host was not reached: nothing tested',
			);
			console.log(
				`[boundary] ${s.label}, URLs repeating the query: the redirect gave ${JSON.stringify(result.nodes['redirect repeating the query'].json)}, ` +
					`the pages ${JSON.stringify(result.nodes['next page repeating the query'].json)}`,
			);
			assertOtherHostClean(`${s.label}: a redirect and a next page whose URL repeats the query string`, since);
			assertRecordedClean(`${s.label}: URLs repeating the query`, mark);
		});

		test('the Test button with a Test URL that redirects to another host: an error naming it, nothing sent there', async () => {
			const mark = places.length;
			const since = other.requests.length;
			const data =
				s.type === 'apiConnectorOpenAiApi'
					? { ...s.data(api), baseUrl: `${api.url}/openai-away` }
					: { ...s.data(api), testUrl: '/test-away' };
			const away = await n8n.createCredential({ name: `Boundary ${s.label} Test URL away`, type: s.type, data });
			const good = await testButton(`${s.label} Test button`, cred.id);
			assert.equal(good.status, 'OK', good.message);
			const button = await testButton(`${s.label} Test button, redirected away`, away.id);
			assert.equal(button.status, 'Error', button.message);
			assert.match(button.message, new RegExp(escape(originOf(other))), button.message);
			assert.equal(
				other.requests.length,
				since,
				`the other host received ${other.requests
					.slice(since)
					.map((r) => r.path)
					.join(', ')}`,
			);
			assertRecordedClean(`${s.label}: Test button answers`, mark);
		});

		test("n8n's HTTP Request node with this credential: its own API works, a redirect away carries nothing, another host is refused", async () => {
			const mark = places.length;
			const since = other.requests.length;
			const nodes: Node[] = [];
			for (const version of [4.2, 4.5]) {
				nodes.push(
					continuing(httpRequest(`own API ${version}`, cred, `${api.url}/api/me`, {}, version)),
					continuing(httpRequest(`redirect away ${version}`, cred, `${api.url}/api/chain?case=http${version}&code=302`, {}, version)),
					continuing(httpRequest(`other host ${version}`, cred, `${other.url}/landing?case=direct${version}`, {}, version)),
				);
			}
			const result = await run(`${s.label} HTTP Request`, fanOut(`Boundary ${s.label} HTTP Request`, manualTrigger(), nodes));
			const received = other.requests.slice(since);
			// Every problem at once: one hides none of the others.
			const problems: string[] = [];
			for (const version of [4.2, 4.5]) {
				const own = result.nodes[`own API ${version}`].json;
				if (JSON.stringify(own) !== JSON.stringify([{ ok: true }]))
					problems.push(`HTTP Request ${version} on the credential's own API: ${errorOf(result, `own API ${version}`)}`);
				const redirected = byCase(received, `http${version}`);
				if (redirected.length)
					problems.push(
						`HTTP Request ${version} followed a redirect to the other host although the credential was attached (${redirected.map((r) => r.path).join(', ')})`,
					);
				const direct = byCase(received, `direct${version}`);
				if (direct.length) problems.push(`HTTP Request ${version}: the other host was called with the credential attached`);
				const refused = errorOf(result, `other host ${version}`);
				if (!/credential was not sent/.test(refused) || !refused.includes(originOf(other)))
					problems.push(`HTTP Request ${version} to the other host: "${refused}"`);
				console.log(
					`[boundary] ${s.label}, HTTP Request ${version}: own API ${JSON.stringify(own).slice(0, 80)} ${errorOf(result, `own API ${version}`).slice(0, 160)}; redirect away: ${errorOf(result, `redirect away ${version}`).slice(0, 160)}`,
				);
			}
			assertOtherHostClean(`${s.label}: HTTP Request node`, since);
			assertRecordedClean(`${s.label}: HTTP Request node results`, mark);
			assert.deepEqual(problems, []);
		});
	});
}

describe('token endpoints (password grant)', () => {
	const grant = (tokenUrl: string) => ({ ...subjects.find((s) => s.label === 'password grant')!.data(api), tokenUrl });

	test('a token URL that 307-redirects to another host: an error naming both origins; the other host gets nothing, its token is never used', async () => {
		const mark = places.length;
		const since = other.requests.length;
		const sinceApi = api.requests.length;
		const cred = await n8n.createCredential({
			name: 'Boundary token URL 307 away',
			type: 'apiConnectorPasswordGrantOAuth2Api',
			data: grant(`${api.url}/token307`),
		});
		const result = await run(
			'token URL 307',
			fanOut('Boundary token URL 307', manualTrigger(), [
				continuing(call('call', cred, { url: '/me' })),
				continuing(httpRequest('http', cred, `${api.url}/api/me`)),
			]),
		);
		const button = await testButton('token URL 307', cred.id);
		for (const [what, message] of [
			['Configured API Call', errorOf(result, 'call')],
			['Test button', button.message],
		] as const) {
			assert.match(message, new RegExp(escape(originOf(other))), `${what}: ${message}`);
			assert.match(message, new RegExp(escape(originOf(api))), `${what}: ${message}`);
		}
		assert.equal(button.status, 'Error');
		assert.ok(!result.nodes.http.json[0]?.ok, `HTTP Request got through: ${JSON.stringify(result.nodes.http.json)}`);
		assert.equal(
			other.requests.length,
			since,
			`the other host received ${other.requests
				.slice(since)
				.map((r) => `${r.method} ${r.path}`)
				.join(', ')}`,
		);
		// The token URL itself received the grant (positive control); no call carried the other host's token.
		const tokenRequests = api.requests.slice(sinceApi).filter((r) => r.path === '/token307');
		assert.ok(
			tokenRequests.some((r) => C.scan('token request', requestText(r)).some((f) => f.secret === 'passwordGrant.password')),
			'the token URL never got the password',
		);
		assert.ok(
			!api.requests.slice(sinceApi).some((r) => String(r.headers.authorization ?? '').includes(OTHER_TOKEN)),
			"the other host's token was used",
		);
		assertRecordedClean('token URL 307', mark);
	});

	for (const [label, path, secret] of [
		['a plain-text token', '/token-text', 'token.plainText'],
		['a form-encoded token answered as text/plain', '/token-form-text', 'token.formInText'],
	] as const) {
		test(`a token endpoint answering ${label}: refused, and the token is in no message`, async () => {
			const mark = places.length;
			const cred = await n8n.createCredential({
				name: `Boundary ${label}`,
				type: 'apiConnectorPasswordGrantOAuth2Api',
				data: grant(`${api.url}${path}`),
			});
			const result = await run(
				label,
				fanOut(`Boundary ${label}`, manualTrigger(), [
					continuing(call('call', cred, { url: '/me' })),
					continuing(httpRequest('http', cred, `${api.url}/api/me`)),
				]),
			);
			const thrown = await run(
				`${label} thrown`,
				fanOut(`Boundary ${label} thrown`, manualTrigger(), [call('thrown', cred, { url: '/me' })]),
			);
			const button = await testButton(label, cred.id);
			console.log(
				`[boundary] ${label}: the node says "${errorOf(result, 'call').trim()}"; HTTP Request says "${errorOf(result, 'http').trim().slice(0, 200)}"`,
			);
			assert.equal(thrown.status, 'error');
			assert.equal(button.status, 'Error');
			assert.match(errorOf(result, 'call'), /not a JSON object/);
			assert.ok(!api.requests.some((r) => requestText(r).includes(v(secret))), 'the refused token was sent to the API');
			assert.ok(
				api.requests.some((r) => r.path === path),
				'the token endpoint was not called',
			);
			assertRecordedClean(label, mark);
		});
	}
});

describe('everywhere', () => {
	test('the servers received every secret that leaves n8n (positive control)', () => {
		harvestTokens();
		const wire = [...api.requests, ...apiTls.requests].map(requestText).concat(authProxy.exchanges.map(exchangeText)).join('\n');
		const received = new Set(C.scan('wire', wire).map((f) => f.secret));
		const expected = C.secrets.filter((s) => s.kind === 'canary' && !s.label.startsWith('token.')).map((s) => s.label);
		assert.deepEqual(
			expected.filter((label) => !received.has(label)),
			[],
			'secrets the servers never received: a test with them could not fail',
		);
		assert.ok(C.count('token') > 1, 'no token was issued');
		console.log(
			`[boundary] secrets received by their own servers: ${expected.length}; tokens issued: ${C.count('token') - 1}; requests the other host received: ${other.requests.length}`,
		);
	});

	test('the other host never received a secret: every request, request line, headers and body', () => {
		assertOtherHostClean('all tests', 0);
	});

	test("nothing recorded, stored or logged holds a secret or token: outputs, errors, Test button answers, executions, database, files, n8n's debug log", () => {
		const mark = places.length;
		const folder = join(n8n.userFolder, '.n8n');
		for (const { place, text } of [...databaseRows(join(folder, 'database.sqlite')), ...filesBelow(folder)]) record(place, text);
		const log = readFileSync(n8n.logFile, 'utf8');
		assert.match(log, /\| debug \|/, 'the log is not at debug level');
		record(`n8n log (${log.split('\n').length} lines)`, log);
		assert.ok(places.length > mark);
		assertRecordedClean('everything', 0);
	});
});

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
