// The demo's content in n8n: one credential per credential type of the package, named
// "Demo: <method>", and one workflow per method (Manual Trigger → Configured API Call, or OpenAI
// Models), each with a sticky note that says what it shows. Created on the first start and
// replaced on every later one (ports and certificates may have changed), keeping their ids, so
// that links and workflows a user built on them keep working.
import { randomUUID } from 'node:crypto';
import type { Credential, CredentialTestResult, ExecutionResult, N8nInstance } from '../e2e/n8n.ts';
import { CALL_NODE, PACKAGE, manualTrigger } from '../e2e/workflows.ts';
import { DEMO, type DemoApi } from './api.ts';

export const PREFIX = 'Demo: ';
const OPENAI_NODE = `${PACKAGE}.openAiModels`;

export interface DemoMethod {
	/** Short name: the credential and the workflow are "Demo: <method>". */
	method: string;
	type: string;
	data(api: DemoApi): Record<string, unknown>;
	/** What the workflow's node does: a GET on `path` (resolved against the credential's Base URL), or list OpenAI models. */
	call: { path: string } | 'openai';
	/** The sticky note, Markdown. */
	note: string;
	/** The credential needs the editor's Connect button (authorization code). */
	connect?: boolean;
}

const { user } = DEMO;
const runIt = '\n\nPress **Execute workflow**, then open the node to see what the API answered.';

export const METHODS: DemoMethod[] = [
	{
		method: 'Header key',
		type: 'apiConnectorHeaderKeyApi',
		data: (api) => ({
			headerName: 'X-API-Key',
			prefixFormat: 'plain',
			apiKey: DEMO.headerKey.live,
			developmentApiKey: DEMO.headerKey.development,
			baseUrl: api.apiUrl,
			testUrl: '/api/me',
		}),
		call: { path: '/api/demo' },
		note: `## Private key in a header\nThe credential **Demo: Header key** sends its key in the \`X-API-Key\` header. It holds a live and a development key: with Environment *Automatic*, Configured API Call uses the development key in manual runs and the live key in production runs. The demo API answers which one it got.${runIt}`,
	},
	{
		method: 'Query key',
		type: 'apiConnectorQueryKeyApi',
		data: (api) => ({
			parameterName: 'key',
			apiKey: DEMO.queryKey.live,
			developmentApiKey: DEMO.queryKey.development,
			baseUrl: api.apiUrl,
			testUrl: '/api/me',
		}),
		call: { path: '/api/demo' },
		note: `## Private key in the URL\nThe credential **Demo: Query key** adds \`?key=…\` to every call. The key stays in the encrypted credential, not in the node's URL.${runIt}`,
	},
	{
		method: 'Basic',
		type: 'apiConnectorBasicAuthApi',
		data: (api) => ({ ...user, baseUrl: api.apiUrl, testUrl: '/api/me' }),
		call: { path: '/api/demo' },
		note: `## HTTP Basic\nThe credential **Demo: Basic** sends \`Authorization: Basic …\` for the user *${user.username}*.${runIt}`,
	},
	{
		method: 'Digest',
		type: 'apiConnectorDigestAuthApi',
		data: (api) => ({ ...user, baseUrl: api.digestUrl, testUrl: '/api/me' }),
		call: { path: '/api/demo' },
		note: `## HTTP Digest\nThe credential **Demo: Digest** answers the demo API's Digest challenge (SHA-256) for the user *${user.username}*: the password never travels, only a hash computed for each call.${runIt}`,
	},
	{
		method: 'Self-handled',
		type: 'apiConnectorCustomAuthApi',
		data: (api) => ({ headers: { values: [{ name: 'X-App-Token', value: DEMO.appToken }] }, baseUrl: api.apiUrl, testUrl: '/api/me' }),
		call: { path: '/api/demo' },
		note: `## Self-handled secret fields\nFor APIs whose scheme fits no other type: the credential **Demo: Self-handled** holds an \`X-App-Token\` header; it could also hold query parameters and body fields.${runIt}`,
	},
	{
		method: 'mTLS',
		type: 'apiConnectorClientCertificateApi',
		data: (api) => ({
			clientCertificateFormat: 'pem',
			certificate: api.pki.client.cert,
			privateKey: api.pki.client.keyPkcs8,
			caCertificates: api.pki.ca.cert,
			baseUrl: api.mtlsUrl,
			testUrl: '/api/me',
		}),
		call: { path: '/api/demo' },
		note: `## Client certificate (mTLS)\nThe demo API on HTTPS accepts only connections that present a client certificate signed by the demo CA. The credential **Demo: mTLS** holds the certificate, its private key, and the demo CA (a private CA the server certificate is signed by).${runIt}`,
	},
	{
		method: 'Password grant',
		type: 'apiConnectorPasswordGrantOAuth2Api',
		data: (api) => ({
			tokenUrl: api.tokenUrl,
			...user,
			clientId: DEMO.client.id,
			clientSecret: DEMO.client.secret,
			baseUrl: api.oauthUrl,
			testUrl: '/api/me',
		}),
		call: { path: '/api/me' },
		note: `## OAuth2 password grant\nThe credential **Demo: Password grant** trades the user's name and password for an access token at the demo OAuth2 server's token URL, stores the token encrypted in the credential, and fetches a new one when it expires or the API refuses it.${runIt}`,
	},
	{
		method: 'Client credentials',
		type: 'apiConnectorClientCredentialsOAuth2Api',
		data: (api) => ({
			tokenUrl: api.tokenUrl,
			clientId: DEMO.serviceClient,
			clientAuthentication: 'privateKeyJwt',
			clientAssertionKey: api.pki.client.keyPkcs8,
			clientAssertionCertificate: api.pki.client.cert,
			baseUrl: api.oauthUrl,
			testUrl: '/api/me',
		}),
		call: { path: '/api/me' },
		note: `## OAuth2 client credentials (private_key_jwt)\nThe credential **Demo: Client credentials** gets a token for the machine client *${DEMO.serviceClient}* without any secret: it signs a short-lived client assertion with its private key and names its certificate by thumbprint, the way Microsoft Entra ID apps with a certificate do.${runIt}`,
	},
	{
		method: 'Custom token',
		type: 'apiConnectorCustomTokenOAuth2Api',
		data: (api) => ({
			tokenUrl: api.customLoginUrl,
			body: '{"user": "<user>", "pass": "<pass>"}',
			privateValues: {
				values: [
					{ name: 'user', value: user.username },
					{ name: 'pass', value: user.password },
				],
			},
			answerPath: 'data.session.key',
			lifetimePath: 'data.session.ttl',
			baseUrl: api.oauthUrl,
			testUrl: '/api/me',
		}),
		call: { path: '/api/me' },
		note: `## OAuth2 custom token request\nFor login endpoints that are not OAuth2: the credential **Demo: Custom token** posts \`{"user": "<user>", "pass": "<pass>"}\` to \`/custom/login\` (the placeholders come from its private values), reads the token at \`data.session.key\` and its lifetime at \`data.session.ttl\`, and sends it as a Bearer token.${runIt}`,
	},
	{
		method: 'Authorization code',
		type: 'apiConnectorAuthCodeOAuth2Api',
		data: (api) => ({
			grantType: 'pkce',
			authUrl: api.authorizeUrl,
			accessTokenUrl: api.tokenUrl,
			clientId: DEMO.editorClient.id,
			clientSecret: DEMO.editorClient.secret,
			scope: 'profile',
			authentication: 'header',
			baseUrl: api.oauthUrl,
		}),
		call: { path: '/api/me' },
		connect: true,
		note: `## OAuth2 authorization code (with PKCE)\n**Connect it first:** open the credential **Demo: Authorization code**, click **Connect** in its banner, and sign in on the demo login page as *${user.username}* / *${user.password}*. n8n then holds the token and refreshes it. (The demo OAuth2 server forgets its tokens when it stops: connect again after each \`npm start\`.)${runIt}`,
	},
	{
		method: 'JWT bearer',
		type: 'apiConnectorJwtBearerApi',
		data: (api) => ({
			mode: 'exchange',
			tokenUrl: api.tokenUrl,
			issuer: DEMO.jwtIssuer,
			algorithm: 'ES256',
			jwtPrivateKey: api.jwtPrivateKey,
			baseUrl: api.oauthUrl,
			testUrl: '/api/me',
		}),
		call: { path: '/api/me' },
		note: `## JWT bearer grant (service accounts)\nThe credential **Demo: JWT bearer** signs a JWT with its private key (ES256) as *${DEMO.jwtIssuer}* and exchanges it for an access token (RFC 7523), the way Google service accounts work.${runIt}`,
	},
	{
		method: 'OpenAI',
		type: 'apiConnectorOpenAiApi',
		data: (api) => ({
			apiKey: DEMO.openai.apiKey,
			organizationId: DEMO.openai.organization,
			projectId: DEMO.openai.project,
			baseUrl: api.openaiUrl,
		}),
		call: 'openai',
		note: `## OpenAI\nThe credential **Demo: OpenAI** points its Base URL at the local OpenAI-compatible server (\`/v1/models\`); the OpenAI Models node lists the models, newest first. Point the Base URL at https://api.openai.com/v1 and paste a real key to use OpenAI itself.${runIt}`,
	},
	{
		method: 'AWS SigV4',
		type: 'apiConnectorAwsSigV4Api',
		data: (api) => ({
			accessKeyId: DEMO.aws.accessKeyId,
			secretAccessKey: DEMO.aws.secretAccessKey,
			region: DEMO.aws.region,
			service: 's3',
			baseUrl: api.awsUrl,
		}),
		call: { path: '/demo-bucket/reports/Q1 2026.txt' },
		note: `## AWS Signature V4\nThe credential **Demo: AWS SigV4** signs every call with an AWS access key (service \`s3\`), the way S3, S3-compatible storage and API Gateway with IAM want it. The local S3-style API recomputes each signature with AWS's own signer and refuses any that differs.${runIt}`,
	},
];

export interface DemoEntry {
	method: DemoMethod;
	credential: Credential;
	workflowId: string;
	/**
	 * The Test button's answer (POST /rest/credentials/test). Not for the authorization code: the
	 * editor has no Test button for OAuth2 credentials, it shows whether the account is connected.
	 */
	test?: CredentialTestResult;
}

export const credentialName = (m: DemoMethod) => `${PREFIX}${m.method}`;

const actionName = (m: DemoMethod) => (m.call === 'openai' ? 'List Models' : 'Call the Demo API');

/** The workflow of a method: Manual Trigger, the call with the credential, a sticky note. */
function workflowFor(
	m: DemoMethod,
	credential: Pick<Credential, 'id' | 'name' | 'type'>,
	name = credentialName(m),
	note = m.note,
	actionLabel = actionName(m),
) {
	const reference = { [credential.type]: { id: credential.id, name: credential.name } };
	const action =
		m.call === 'openai'
			? {
					id: randomUUID(),
					name: actionLabel,
					type: OPENAI_NODE,
					typeVersion: 1,
					position: [240, 0],
					parameters: { resource: 'model', operation: 'list', returnAll: true, sort: 'newest' },
					credentials: reference,
				}
			: {
					id: randomUUID(),
					name: actionLabel,
					type: CALL_NODE,
					typeVersion: 1,
					position: [240, 0],
					parameters: { authentication: credential.type, method: 'GET', url: m.call.path },
					credentials: reference,
				};
	const sticky = {
		id: randomUUID(),
		name: 'About This Workflow',
		type: 'n8n-nodes-base.stickyNote',
		typeVersion: 1,
		position: [-60, -300],
		parameters: { content: note, width: 540, height: 220, color: m.connect ? 3 : 7 },
	};
	return {
		name,
		nodes: [manualTrigger(), action, sticky],
		connections: { Start: { main: [[{ node: action.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Where an example's file lives: examples/<method>.json. */
export const exampleFile = (m: DemoMethod) => `${m.method.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.json`;

/**
 * The importable example of a method (examples/*.json): the demo's workflow without the demo,
 * with a credential reference the user replaces by their own, and stable node IDs so that the
 * files do not change between generations (npm run examples writes them; a test compares).
 */
export function exampleFor(m: DemoMethod) {
	const credential = { id: '', name: `Your ${m.method} credential`, type: m.type };
	const call =
		m.call === 'openai'
			? 'lists the models of your OpenAI key'
			: `calls \`${m.call.path}\` below the credential's Base URL (change the URL to one of your API's paths)`;
	const note = `## Example: ${m.method}\nImport this workflow, then open the node and pick your own credential of this type (or create one: the README's "Credentials" section says what each field means). The node ${call}.${m.connect ? ' An authorization-code credential needs one **Connect** click first.' : ''}\n\nPress **Execute workflow**, then open the node to see what the API answered.`;
	const workflow = workflowFor(m, credential, `Example: ${m.method}`, note, m.call === 'openai' ? 'List Models' : 'Call the API');
	let n = 0;
	for (const node of workflow.nodes as Array<{ id: string }>) node.id = `${exampleFile(m).replace(/\.json$/, '')}-${++n}`;
	// n8n's CLI import needs an ID (16 letters and digits, like n8n's own); a stable one per method.
	const id = `ApiConn${m.method.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`
		.slice(0, 16)
		.padEnd(16, '0');
	return { id, ...workflow, pinData: {}, meta: { templateCredsSetupCompleted: false } };
}

/** The demo credentials and workflows; `reset` names the credentials an earlier start had made, now written back. */
export async function setupDemo(n8n: N8nInstance, api: DemoApi): Promise<DemoEntry[] & { reset: string[] }> {
	const credentials = await n8n.rest<Credential[]>('GET', '/credentials');
	const workflows = await n8n.rest<{ id: string; name: string }[]>(
		'GET',
		`/workflows?filter=${encodeURIComponent(JSON.stringify({ name: PREFIX }))}`,
	);
	const entries: DemoEntry[] = [];
	const reset: string[] = [];
	for (const m of METHODS) {
		const name = credentialName(m);
		const body = { name, type: m.type, data: m.data(api) };
		const existing = credentials.find((c) => c.name === name && c.type === m.type);
		let credential: Credential;
		if (existing) {
			// The demo API's keys and addresses are the demo's own: every start writes them back.
			reset.push(name);
			await n8n.rest('PATCH', `/credentials/${existing.id}`, body);
			// The demo OAuth2 server forgets its tokens when it stops: a token kept from an earlier
			// start is dead, so the credential goes back to "not connected".
			if (m.connect) await n8n.rest('DELETE', `/credentials/${existing.id}/oauth-token`).catch(() => undefined);
			credential = { id: existing.id, name, type: m.type };
		} else {
			credential = await n8n.createCredential(body);
		}

		const workflow = workflowFor(m, credential);
		const old = workflows.find((w) => w.name === workflow.name);
		let workflowId: string;
		if (old) {
			const { versionId } = await n8n.rest('GET', `/workflows/${old.id}`);
			await n8n.rest('PATCH', `/workflows/${old.id}?forceSave=true`, { ...workflow, versionId });
			workflowId = old.id;
		} else {
			workflowId = await n8n.createWorkflow(workflow);
		}
		entries.push({ method: m, credential, workflowId, test: m.connect ? undefined : await n8n.testCredential({ id: credential.id }) });
	}
	return Object.assign(entries, { reset });
}

/**
 * The editor's Connect button without a browser: asks n8n for the authorization URL (as the
 * editor does), signs in on the demo login page, and follows the redirect to n8n's callback with
 * the owner's session, which is what the popup window does. Throws when any step fails.
 */
export async function connectAuthCode(n8n: N8nInstance, credentialId: string): Promise<void> {
	const authUrl = await n8n.rest<string>('GET', `/oauth2-credential/auth?id=${encodeURIComponent(credentialId)}`);
	const page = await fetch(authUrl);
	const html = await page.text();
	const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
	if (!page.ok || !requestId) throw new Error(`the login page answered ${page.status}: ${html.slice(0, 300)}`);
	const signIn = await fetch(new URL('/authorize', authUrl), {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ request_id: requestId, ...user }),
		redirect: 'manual',
	});
	const callback = signIn.headers.get('location');
	if (signIn.status !== 302 || !callback) throw new Error(`signing in answered ${signIn.status}: ${(await signIn.text()).slice(0, 300)}`);
	const done = await fetch(callback, { headers: { cookie: n8n.cookie }, redirect: 'manual' });
	const text = await done.text();
	// n8n answers 200 either way: its success page says "Connection successful" and posts
	// 'success' to the editor; its error page shows "Error: <message>" and posts 'error'.
	if (!done.ok || !text.includes('Connection successful')) {
		const message = /<h4>([^<]*)<\/h4>/.exec(text)?.[1] ?? text.replace(/\s+/g, ' ').slice(0, 300);
		throw new Error(`n8n's callback answered ${done.status}: ${message}`);
	}
}

export interface DemoRow {
	method: string;
	/** "OK: …", "needs Connect in the editor" (a run that does not connect), or "failed: …". */
	result: string;
	ok: boolean;
	/** Ran and succeeded, or was left for the user to connect (not a failure). */
	passed: boolean;
	ms: number;
}

/** What a successful run shows, in a few words. */
function summary(m: DemoMethod, run: ExecutionResult): string {
	const items = run.nodes[actionName(m)]?.json ?? [];
	if (m.call === 'openai') return `${items.length} models listed, newest first`;
	const first = items[0] ?? {};
	if (first.method && first.via)
		return [
			first.via,
			first.key ? `${first.key} key` : '',
			first.user ? `user ${first.user}` : '',
			first.clientCertificate ? `CN ${first.clientCertificate}` : '',
		]
			.filter(Boolean)
			.join(', ');
	if (first.sub) return `token for ${first.sub}${first.scope ? ` (scope ${first.scope})` : ''}`;
	return JSON.stringify(first).slice(0, 60);
}

/** Runs every demo workflow as the editor's "Execute workflow" button does. */
export async function runDemoWorkflows(n8n: N8nInstance, entries: DemoEntry[], options: { connect?: boolean } = {}): Promise<DemoRow[]> {
	const rows: DemoRow[] = [];
	for (const entry of entries) {
		const started = performance.now();
		const row = (result: string, ok: boolean, passed = ok): DemoRow => ({
			method: entry.method.method,
			result,
			ok,
			passed,
			ms: performance.now() - started,
		});
		if (entry.method.connect) {
			if (!options.connect) {
				rows.push(row('needs Connect in the editor', false, true));
				continue;
			}
			try {
				await connectAuthCode(n8n, entry.credential.id);
			} catch (error) {
				// Connecting without a browser works with n8n 2.41: when it stops working, say so.
				rows.push(row(`failed: connecting without a browser: ${(error as Error).message.split('\n')[0]}`, false));
				continue;
			}
		}
		try {
			const run = await n8n.runWorkflowManually(entry.workflowId);
			const ms = run.raw.startedAt && run.raw.stoppedAt ? Date.parse(run.raw.stoppedAt) - Date.parse(run.raw.startedAt) : undefined;
			const error = run.error ?? Object.values(run.nodes).find((n) => n.error)?.error;
			const done =
				run.status === 'success'
					? row(`OK: ${summary(entry.method, run)}`, true)
					: row(`failed: ${error?.message ?? run.status}${error?.description ? ` (${error.description})` : ''}`, false);
			if (ms !== undefined && Number.isFinite(ms)) done.ms = ms;
			rows.push(done);
		} catch (error) {
			rows.push(row(`failed: ${(error as Error).message.split('\n')[0]}`, false));
		}
	}
	return rows;
}

/** The rows as a Markdown table. */
export function formatTable(rows: DemoRow[]): string {
	const cells = [['Method', 'Result', 'Time'], ...rows.map((r) => [r.method, r.result, `${Math.round(r.ms)} ms`])];
	const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i].length)));
	const line = (c: string[]) => `| ${c.map((v, i) => (i === 2 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
	return [
		line(cells[0]),
		`|${widths.map((w, i) => (i === 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
		...cells.slice(1).map(line),
	].join('\n');
}
