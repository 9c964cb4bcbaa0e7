// The authorization-code credential end to end in a real browser: Debian's Chromium (driven by
// playwright-core) signs into the n8n editor, creates the credential in the editor's form,
// presses n8n's own Connect button, signs in on the rig's OAuth2 login page in the popup and comes
// back to n8n showing "Account connected". Then workflows use the credential (Configured API
// Call and n8n's HTTP Request node), and n8n refreshes the token when the API refuses it (401 and,
// where the credential says so, 403), when the rig revoked it, and before it expires.
// Both grant types: authorization code (client authentication in the header) and PKCE
// (client authentication in the body, offline access, refresh on 401 and 403).
//
// Needs Debian's Chromium (`apt-get install -y chromium`) and dist/ (npm run build).
// Screenshots land in test/artifacts/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startApiServer, startOAuth2Server, type ApiServer, type OAuth2Server } from '../rig/index.ts';
import { launchBrowser, loginToEditor, screenshot, withFailureScreenshot, type E2eBrowser, type Page } from './browser.ts';
import { ensureN8n, packPackage, startN8n, type Credential, type ExecutionResult, type N8nInstance } from './n8n.ts';
import { cleanEnv } from './process.ts';
import { callNode, chain, httpRequestNode, manualTrigger } from './workflows.ts';

const execFileAsync = promisify(execFile);

const TYPE = 'apiConnectorAuthCodeOAuth2Api';
const USER = { username: 'ada', password: 'lovelace "1815" ü' };
const CLIENT = { id: 'n8n-editor-app', secret: 'editor-app-secret-7f3c' };

let n8n: N8nInstance;
let auth: OAuth2Server;
/** An API that answers 403 (not 401) to a token the rig does not accept. */
let api403: ApiServer;
const api403Statuses: number[] = [];
let browser: E2eBrowser;
let page: Page;
let callbackUrl: string;
const fileStarted = performance.now();

before(
	async () => {
		// The browser first: a missing Chromium fails the file at once, before n8n starts.
		browser = await launchBrowser();
		page = await browser.newPage();
		await ensureN8n();
		// E2E_TARBALL: test a given package tarball (e.g. the published one) instead of this checkout.
		n8n = await startN8n({ tarball: process.env.E2E_TARBALL ?? packPackage() });
		// n8n 2.41.1 sends <instance base URL>/rest/oauth2-credential/callback; the rig accepts no other.
		callbackUrl = `${n8n.baseUrl}/rest/oauth2-credential/callback`;
		auth = await startOAuth2Server({ clients: [{ ...CLIENT, redirectUris: [callbackUrl] }], users: [USER] });
		api403 = await startApiServer({
			authorize: (req) => {
				const token = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
				const ok = auth.validate(token).active;
				api403Statuses.push(ok ? 200 : 403);
				return ok || { status: 403, body: { error: 'forbidden' } };
			},
		});
		await loginToEditor(page, n8n);
	},
	{ timeout: 20 * 60_000 },
);

after(async () => {
	await browser?.close();
	await n8n?.stop();
	await Promise.all([auth?.close(), api403?.close()]);
	if (browser?.external.length) console.log(`[e2e] the browser was kept from reaching: ${[...new Set(browser.external)].join(', ')}`);
	console.log(`[e2e] authcode.test.ts: ${((performance.now() - fileStarted) / 1000).toFixed(1)} s in all`);
});

interface Case {
	grantType: 'authorizationCode' | 'pkce';
	label: string;
	scope: string;
	authentication: 'header' | 'body';
	offlineAccess: boolean;
	extraAuthQueryParameters: string;
	refreshOnStatus: string;
}

const cases: Case[] = [
	{
		grantType: 'authorizationCode',
		label: 'Authorization Code',
		scope: 'orders:read profile',
		authentication: 'header',
		offlineAccess: false,
		extraAuthQueryParameters: 'audience=rig-api&login_hint=ada',
		refreshOnStatus: '401',
	},
	{
		grantType: 'pkce',
		label: 'Authorization Code With PKCE',
		scope: 'openid email offline',
		authentication: 'body',
		offlineAccess: true,
		extraAuthQueryParameters: '',
		refreshOnStatus: '401, 403',
	},
];

/** Fills the editor's credential form, field by field, the way a user does, and saves it. */
async function createCredentialInEditor(c: Case, name: string): Promise<Credential> {
	await page.goto(`${n8n.baseUrl}/home/credentials/create`);
	await page.getByTestId('new-credential-type-select').click();
	await page.keyboard.type('API Connector: Authorization Code');
	await page.getByTestId('new-credential-type-select-option').filter({ hasText: 'API Connector: Authorization Code OAuth2 API' }).click();
	await page.getByTestId('new-credential-type-button').click();
	const modal = page.getByTestId('editCredential-modal');
	await modal.waitFor();

	await modal.getByTestId('credential-name').click();
	await modal.getByTestId('inline-edit-input').fill(name);
	await modal.getByTestId('inline-edit-input').press('Enter');
	const choose = async (field: string, option: string) => {
		await modal.getByTestId(`parameter-input-${field}`).click();
		// An option's accessible name includes its description: match its title exactly.
		await page
			.getByRole('option')
			.filter({ has: page.getByText(option, { exact: true }) })
			.click();
	};
	const type = async (field: string, value: string) => {
		const input = modal.getByTestId(`parameter-input-${field}`).locator('input, textarea').first();
		await input.fill(value);
	};
	await choose('grantType', c.label);
	await type('authUrl', auth.authorizeUrl);
	await type('accessTokenUrl', auth.tokenUrl);
	await type('clientId', CLIENT.id);
	await type('clientSecret', CLIENT.secret);
	await type('scope', c.scope);
	await choose('authentication', c.authentication === 'body' ? 'Send in Body' : 'Send as Basic Auth Header');
	if (c.offlineAccess) await modal.getByTestId('parameter-input-offlineAccess').locator('.el-switch').click();
	if (c.extraAuthQueryParameters) await type('extraAuthQueryParameters', c.extraAuthQueryParameters);
	await type('refreshOnStatus', c.refreshOnStatus);
	await screenshot(page, `${c.grantType}-1-credential-form`, { fullPage: true });

	const saved = page.waitForResponse((r) => new URL(r.url()).pathname === '/rest/credentials' && r.request().method() === 'POST');
	await modal.getByTestId('credential-save-button').click();
	const response = await saved;
	assert.equal(response.status(), 200, `saving the credential answered ${response.status()}: ${await response.text()}`);
	const { data } = (await response.json()) as { data: Credential };
	assert.equal(data.type, TYPE);
	return { id: data.id, name: data.name, type: data.type };
}

/** Presses n8n's Connect button, signs in on the rig's page in the popup, waits for "Account connected". */
async function connectInEditor(c: Case): Promise<{ callbackStatus: number; callbackBody: string }> {
	const modal = page.getByTestId('editCredential-modal');
	await modal.getByTestId('oauth-not-connected-banner').waitFor();
	const popupOpened = page.context().waitForEvent('page');
	await modal.getByTestId('quick-connect-button').click();
	const popup = await popupOpened;
	// The popup goes from about:blank to n8n's authorization URL, i.e. the rig's /authorize.
	await popup.waitForURL((url) => url.href.startsWith(auth.authorizeUrl));
	await popup.locator('#username').waitFor();
	await screenshot(popup, `${c.grantType}-2-consent-page`);
	// n8n's callback page posts "success" to the editor, which then closes the popup: read the
	// callback's answer from the network, not from the page.
	const callback = popup.waitForResponse((r) => r.url().startsWith(callbackUrl));
	await popup.locator('#username').fill(USER.username);
	await popup.locator('#password').fill(USER.password);
	await popup.getByRole('button', { name: 'Sign in' }).click();
	const answer = await callback;
	const callbackBody = await answer.text().catch(() => '(popup closed before the body was read)');
	await modal.getByTestId('oauth-connect-success-banner').waitFor({ timeout: 20_000 });
	await screenshot(page, `${c.grantType}-3-account-connected`);
	return { callbackStatus: answer.status(), callbackBody };
}

/** The credential as n8n stores it, decrypted (`n8n export:credentials --decrypted`, next to the running n8n). */
async function storedCredentialData(id: string): Promise<Record<string, any>> {
	const bin = await ensureN8n();
	const folder = mkdtempSync(join(tmpdir(), 'e2e-export-'));
	try {
		const output = join(folder, 'credentials.json');
		const inherited = Object.fromEntries(Object.entries(cleanEnv()).filter(([key]) => !/^(N8N_|DB_)/.test(key)));
		await execFileAsync(process.execPath, [bin, 'export:credentials', `--id=${id}`, '--decrypted', `--output=${output}`], {
			cwd: n8n.userFolder,
			env: {
				...inherited,
				NODE_ENV: 'production',
				N8N_USER_FOLDER: n8n.userFolder,
				N8N_ENCRYPTION_KEY: n8n.encryptionKey,
				N8N_DIAGNOSTICS_ENABLED: 'false',
				N8N_LOG_LEVEL: 'warn',
			},
			timeout: 60_000,
		});
		const [exported] = JSON.parse(readFileSync(output, 'utf8')) as { data: Record<string, any> }[];
		return exported.data;
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

function nodeError(run: ExecutionResult): string {
	return JSON.stringify(
		run.error ??
			Object.fromEntries(
				Object.entries(run.nodes)
					.filter(([, node]) => node.error)
					.map(([name, node]) => [name, node.error]),
			),
	);
}

/** Token requests of one grant type so far. */
const tokenRequests = (grantType: string) => auth.counts[grantType] ?? 0;

for (const c of cases) {
	describe(`${c.label} in the editor`, () => {
		let credential: Credential;
		const workflows = { both: '', call: '', http: '' };
		const name = `Rig ${c.label}`;

		test("the credential is created in the editor and connected through n8n's Connect button", { timeout: 180_000 }, async () => {
			await withFailureScreenshot(page, `${c.grantType}-connect`, async () => {
				credential = await createCredentialInEditor(c, name);
				const before = tokenRequests('authorization_code');
				const connectStarted = Date.now();
				const { callbackStatus, callbackBody } = await connectInEditor(c);
				const connectEnded = Date.now();
				assert.equal(callbackStatus, 200);
				assert.match(callbackBody, /Connection successful|popup closed/);

				// What n8n sent to /authorize.
				const query = auth.lastAuthorizeQuery ?? {};
				assert.equal(query.response_type, 'code');
				assert.equal(query.client_id, CLIENT.id);
				assert.equal(query.redirect_uri, callbackUrl);
				assert.equal(query.scope, c.scope, 'the scope the user typed is sent as typed');
				assert.ok(query.state, 'state is sent');
				if (c.grantType === 'pkce') {
					assert.match(query.code_challenge ?? '', /^[A-Za-z0-9_-]{43}$/, 'a S256 challenge is 43 base64url characters');
					assert.equal(query.code_challenge_method, 'S256');
				} else {
					assert.equal(query.code_challenge, undefined, 'no PKCE for the plain authorization code grant');
				}
				// authQueryParameters is a hidden "={{ $self... }}" expression: n8n resolves it.
				if (c.offlineAccess) {
					assert.equal(query.access_type, 'offline', `n8n sent ${JSON.stringify(query)}`);
					assert.equal(query.prompt, 'consent', `n8n sent ${JSON.stringify(query)}`);
				} else {
					assert.equal(query.access_type, undefined);
					assert.equal(query.prompt, undefined);
				}
				for (const [key, value] of new URLSearchParams(c.extraAuthQueryParameters))
					assert.equal(query[key], value, `extra parameter ${key}`);

				// The code exchange: one strict authorization_code request (redirect_uri, PKCE verifier,
				// client authentication all checked by the rig).
				assert.equal(tokenRequests('authorization_code'), before + 1);
				const exchange = auth.log.filter((entry) => entry.grant_type === 'authorization_code').at(-1);
				assert.equal(exchange?.ok, true, JSON.stringify(exchange));
				assert.equal(exchange?.clientAuth, c.authentication === 'body' ? 'body' : 'basic');

				// What n8n keeps: the scope as typed, and the token data with its expiry.
				const saved = await n8n.rest('GET', `/credentials/${credential.id}?includeData=true`);
				assert.equal(saved.data.scope, c.scope, 'the scope is kept in the saved credential');
				assert.equal(saved.data.oauthTokenData, true, 'the editor sees only that a token is there');
				const stored = await storedCredentialData(credential.id);
				const token = stored.oauthTokenData;
				assert.equal(typeof token?.access_token, 'string');
				assert.equal(typeof token?.refresh_token, 'string');
				assert.equal(token.scope, c.scope);
				assert.equal(token.expires_in, 3600);
				// n8n_expires_at: a string of epoch milliseconds, callback time + expires_in.
				assert.equal(typeof token.n8n_expires_at, 'string');
				const expiresAt = Number(token.n8n_expires_at);
				assert.ok(expiresAt >= connectStarted + 3600_000 && expiresAt <= connectEnded + 3600_000, `n8n_expires_at ${token.n8n_expires_at}`);
				console.log(
					`[e2e] ${c.grantType}: stored token data keys ${Object.keys(token).join(', ')}; n8n_expires_at=${token.n8n_expires_at} (${new Date(expiresAt).toISOString()})`,
				);
			});
		});

		test("Configured API Call and n8n's HTTP Request node call the API with it", { timeout: 120_000 }, async () => {
			assert.ok(credential, 'no connected credential: see the first test');
			workflows.both = await n8n.createWorkflow(
				chain(`Rig API with ${c.label}`, manualTrigger(), callNode({ url: auth.apiUrl }, credential), {
					...httpRequestNode(auth.apiUrl, credential),
					position: [660, 0],
				}),
			);
			workflows.call = await n8n.createWorkflow(
				chain(`Configured API Call, ${c.label}`, manualTrigger(), callNode({ url: auth.apiUrl }, credential)),
			);
			workflows.http = await n8n.createWorkflow(
				chain(`HTTP Request, ${c.label}`, manualTrigger(), httpRequestNode(auth.apiUrl, credential)),
			);
			const run = await n8n.runWorkflowManually(workflows.both);
			assert.equal(run.status, 'success', nodeError(run));
			for (const node of ['Call', 'HTTP Request']) {
				assert.deepEqual(run.nodes[node].json, [{ sub: USER.username, scope: c.scope, clientId: CLIENT.id }], node);
			}
			await withFailureScreenshot(page, `${c.grantType}-run`, async () => {
				// The execution in the editor, with the logs panel open on each node's output.
				await page.goto(`${n8n.baseUrl}/workflow/${workflows.both}/executions/${run.id}`);
				await page.getByTestId('canvas-node-status-success').nth(2).waitFor();
				// The editor remembers whether the logs panel was open: open it only if it is closed.
				await page.getByTestId('logs-overview-header').waitFor();
				if (!(await page.getByTestId('logs-overview-body').isVisible())) await page.getByTestId('logs-overview-header').click();
				for (const node of ['Call', 'HTTP Request']) {
					await page.getByTestId('logs-overview-body').getByText(node, { exact: true }).click();
					await page.getByTestId('log-details-header').getByText(node, { exact: true }).waitFor();
					await page.getByTestId('log-details-output').getByText(USER.username, { exact: true }).waitFor();
					await screenshot(page, `${c.grantType}-4-run-result-${node === 'Call' ? 'configured-api-call' : 'http-request'}`);
				}
			});
		});

		// Each node on its own: in one workflow the first node's refresh would serve the second.
		for (const [what, spoil] of [
			['an expired token', () => auth.expireAll()],
			['a revoked token', () => auth.revokeAll()],
		] as const) {
			for (const node of ['HTTP Request', 'Call'] as const) {
				const title = node === 'Call' ? 'Configured API Call' : "n8n's HTTP Request node";
				test(`${what}: ${title} gets a 401, n8n refreshes the token, the call succeeds`, { timeout: 120_000 }, async () => {
					assert.ok(credential, 'no connected credential: see the first test');
					spoil();
					const refreshes = tokenRequests('refresh_token');
					const run = await n8n.runWorkflowManually(node === 'Call' ? workflows.call : workflows.http);
					const refreshed = tokenRequests('refresh_token') - refreshes;
					assert.equal(run.status, 'success', `${refreshed} refresh request(s); ${nodeError(run)}`);
					assert.deepEqual(
						run.nodes[node].json,
						[{ sub: USER.username, scope: c.scope, clientId: CLIENT.id }],
						'the scope survives the refresh',
					);
					// Exactly one: the rig rotates refresh tokens, so a second refresh in a later test
					// works only if n8n stored the new one.
					assert.equal(refreshed, 1);
					assert.equal(auth.log.at(-1)?.ok, true, JSON.stringify(auth.log.at(-1)));
				});
			}
		}

		if (c.refreshOnStatus.includes('403')) {
			for (const node of ['Call', 'HTTP Request'] as const) {
				const title = node === 'Call' ? 'Configured API Call' : "n8n's HTTP Request node";
				test(`refreshOnStatus "${c.refreshOnStatus}": a 403 from the API makes n8n refresh (${title})`, { timeout: 120_000 }, async () => {
					assert.ok(credential, 'no connected credential: see the first test');
					const url = `${api403.url}/api/echo`;
					const workflow = node === 'Call' ? callNode({ url }, credential) : httpRequestNode(url, credential);
					const id = await n8n.createWorkflow(chain(`403 API, ${title}, ${c.label}`, manualTrigger(), workflow));
					auth.expireAll();
					api403Statuses.length = 0;
					const refreshes = tokenRequests('refresh_token');
					const run = await n8n.runWorkflowManually(id);
					const refreshed = tokenRequests('refresh_token') - refreshes;
					assert.equal(
						run.status,
						'success',
						`API answered ${api403Statuses.join(', ')}; ${refreshed} refresh request(s); ${nodeError(run)}`,
					);
					assert.deepEqual(api403Statuses, [403, 200]);
					assert.equal(refreshed, 1);
					assert.match(run.nodes[node].json[0]?.headers?.authorization ?? '', /^Bearer \S+$/);
				});
			}
		} else {
			test(
				`refreshOnStatus "${c.refreshOnStatus}": a 403 from the API is an error, not a reason to refresh`,
				{ timeout: 120_000 },
				async () => {
					assert.ok(credential, 'no connected credential: see the first test');
					const id = await n8n.createWorkflow(
						chain(`403 API with ${c.label}`, manualTrigger(), callNode({ url: `${api403.url}/api/echo` }, credential)),
					);
					auth.expireAll();
					api403Statuses.length = 0;
					const refreshes = tokenRequests('refresh_token');
					const run = await n8n.runWorkflowManually(id);
					assert.equal(run.status, 'error');
					assert.deepEqual(api403Statuses, [403]);
					assert.equal(tokenRequests('refresh_token'), refreshes);
					assert.match(run.nodes.Call.error?.message ?? '', /403/);
				},
			);
		}

		test('a token about to expire: Configured API Call refreshes it before calling, without a 401', { timeout: 120_000 }, async () => {
			assert.ok(credential, 'no connected credential: see the first test');
			// A token that lives 30 s is inside the node's one-minute margin as soon as it is issued.
			auth.setLifetime(30);
			try {
				auth.expireAll();
				let run = await n8n.runWorkflowManually(workflows.http); // n8n refreshes after the 401 and stores the 30 s token
				assert.equal(run.status, 'success', nodeError(run));
				const stored = await storedCredentialData(credential.id);
				assert.ok(
					Number(stored.oauthTokenData.n8n_expires_at) <= Date.now() + 30_000,
					`n8n_expires_at ${stored.oauthTokenData.n8n_expires_at}`,
				);
				const refreshes = tokenRequests('refresh_token');
				const apiCalls = auth.counts.api;
				run = await n8n.runWorkflowManually(workflows.call);
				assert.equal(run.status, 'success', nodeError(run));
				assert.equal(tokenRequests('refresh_token'), refreshes + 1, 'one refresh, before the call');
				assert.equal(auth.counts.api, apiCalls + 1, 'one API call, not refused');
			} finally {
				auth.setLifetime(3600);
			}
		});
	});
}

test("n8n's log holds neither the client secret nor any token", async () => {
	const log = readFileSync(n8n.logFile, 'utf8');
	assert.ok(!log.includes(CLIENT.secret), 'client secret in the log');
	for (const c of cases) {
		const saved = (await n8n.rest('GET', '/credentials')) as { id: string; name: string }[];
		const credential = saved.find((entry) => entry.name === `Rig ${c.label}`);
		if (!credential) continue;
		const { oauthTokenData } = await storedCredentialData(credential.id);
		assert.ok(!log.includes(oauthTokenData.access_token), `${c.grantType}: access token in the log`);
		assert.ok(!log.includes(oauthTokenData.refresh_token), `${c.grantType}: refresh token in the log`);
	}
});
