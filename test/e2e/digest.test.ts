// The HTTP Digest credential in a real n8n, with the package installed as users install it:
// the Test button (accepted, and a wrong password with its own message), Configured API Call in
// a manual and a production (webhook) run, and n8n's own HTTP Request node with the credential
// ("Predefined Credential Type"). Against Apache httpd's mod_auth_digest (MD5) and the rig's
// strict SHA-256 Digest server, with a password holding ":" and characters beyond ASCII.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApache, type Apache } from '../rig/apache.ts';
import { startDigestServer, type DigestServer } from '../rig/digestServer.ts';
import { ensureN8n, packPackage, startN8n, type N8nInstance } from './n8n.ts';
import { databaseRows, filesBelow } from './secrets/storage.ts';
import { callNode, chain, httpRequestNode, manualTrigger, webhookTrigger } from './workflows.ts';

const USER = 'ada';
const PASSWORD = 'c:o:l:\u00f6\u20ac n \u2713';
const TYPE = 'apiConnectorDigestAuthApi';

let n8n: N8nInstance;
let apache: Apache;
let sha: DigestServer;
let md5Credential: { id: string; name: string; type: string };
let shaCredential: { id: string; name: string; type: string };

before(
	async () => {
		apache = await startApache({ users: [{ username: USER, password: PASSWORD }] });
		sha = await startDigestServer({ username: USER, password: PASSWORD, algorithm: 'SHA-256' });
		await ensureN8n();
		n8n = await startN8n({ tarball: packPackage() });
		md5Credential = await n8n.createCredential({
			name: 'Digest MD5 (Apache)',
			type: TYPE,
			data: { username: USER, password: PASSWORD, baseUrl: apache.url, testUrl: '/digest/data.json' },
		});
		shaCredential = await n8n.createCredential({
			name: 'Digest SHA-256',
			type: TYPE,
			data: { username: USER, password: PASSWORD, baseUrl: sha.url, testUrl: '/digest/me' },
		});
	},
	{ timeout: 20 * 60_000 },
);
after(async () => {
	await n8n?.stop();
	await Promise.all([apache?.close(), sha?.close()]);
});

describe('Test button', () => {
	test('a saved credential is accepted, by Apache (MD5) and SHA-256', async () => {
		for (const credential of [md5Credential, shaCredential]) {
			const result = await n8n.testCredential({ id: credential.id });
			assert.deepEqual(result, { status: 'OK', message: 'The API accepted the credential.' }, credential.name);
		}
	});

	test('an unsaved credential is accepted', async () => {
		const result = await n8n.testCredential({
			type: TYPE,
			name: 'Unsaved',
			data: { username: USER, password: PASSWORD, baseUrl: apache.url, testUrl: '/digest/data.json' },
		});
		assert.equal(result.status, 'OK', result.message);
	});

	test('a wrong password: its own message, without the password', async () => {
		const broken = await n8n.createCredential({
			name: 'Digest wrong',
			type: TYPE,
			data: { username: USER, password: 'wrong:p\u00e4ss', baseUrl: apache.url, testUrl: '/digest/data.json' },
		});
		const result = await n8n.testCredential({ id: broken.id });
		assert.equal(result.status, 'Error');
		assert.match(result.message, /GET http:\/\/127\.0\.0\.1:\d+\/digest\/data\.json refused the credential \(HTTP 401\)/);
		assert.ok(!result.message.includes('wrong:p'), result.message);
	});
});

describe('Configured API Call', () => {
	test('a manual run: GET and POST JSON through Apache', async () => {
		const id = await n8n.createWorkflow(
			chain(
				'Digest manual',
				manualTrigger(),
				callNode({ url: 'digest/data.json' }, md5Credential, 'Get'),
				callNode(
					{ url: 'digest/echo.cgi', method: 'POST', sendBody: true, contentType: 'json', jsonInput: 'json', jsonBody: '{"n":"\u2713"}' },
					md5Credential,
					'Post',
				),
			),
		);
		const run = await n8n.runWorkflowManually(id);
		assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes.Get?.error ?? run.nodes.Post?.error));
		assert.deepEqual(run.nodes.Get.json[0], { ok: true, realm: apache.realm });
		assert.equal(run.nodes.Post.json[0].user, USER);
		assert.deepEqual(JSON.parse(Buffer.from(String(run.nodes.Post.json[0].body), 'base64').toString()), { n: '\u2713' });
	});

	test('a production (webhook) run with SHA-256', async () => {
		const path = `digest-${randomUUID()}`;
		const id = await n8n.createWorkflow(
			chain(
				'Digest webhook',
				webhookTrigger(path),
				callNode(
					{ url: 'digest/data?from=webhook', method: 'POST', sendBody: true, contentType: 'json', jsonInput: 'json', jsonBody: '{"a":1}' },
					shaCredential,
				),
			),
		);
		await n8n.activateWorkflow(id);
		const response = await n8n.callWebhook(path, { body: {} });
		assert.equal(response.status, 200, `${JSON.stringify(response.body)} ${sha.refusals.join('; ')}`);
		const body = Array.isArray(response.body) ? response.body[0] : response.body;
		assert.equal(body.query, 'from=webhook');
		assert.ok(sha.requests.some((r) => /algorithm=SHA-256/.test(r.authorization ?? '')));
	});
});

describe("n8n's HTTP Request node (Predefined Credential Type)", () => {
	test('GET through Apache (MD5) and SHA-256, with a query string', async () => {
		const id = await n8n.createWorkflow(
			chain(
				'Digest HTTP Request',
				manualTrigger(),
				httpRequestNode(`${apache.url}/digest/echo.cgi?q=a%20b`, md5Credential, 'Apache'),
				httpRequestNode(`${sha.url}/digest/data?x=1`, shaCredential, 'Sha'),
			),
		);
		const run = await n8n.runWorkflowManually(id);
		assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes.Apache?.error ?? run.nodes.Sha?.error));
		assert.equal(run.nodes.Apache.json[0].user, USER);
		assert.equal(run.nodes.Apache.json[0].query, 'q=a%20b');
		assert.equal(run.nodes.Sha.json[0].query, 'x=1');
	});

	test("an expired nonce: n8n's retry after the 401 fetches a new challenge", async () => {
		const id = await n8n.createWorkflow(chain('Digest stale', manualTrigger(), httpRequestNode(`${sha.url}/digest/data`, shaCredential)));
		assert.equal((await n8n.runWorkflowManually(id)).status, 'success');
		sha.expireNonces();
		sha.requests.length = 0;
		const run = await n8n.runWorkflowManually(id);
		assert.equal(run.status, 'success', `${JSON.stringify(run.error ?? run.nodes['HTTP Request']?.error)} ${sha.refusals.join('; ')}`);
		assert.deepEqual(
			sha.requests.map((r) => [r.url, Boolean(r.authorization)]),
			[
				['/digest/data', true],
				['/digest/me', false],
				['/digest/data', true],
			],
			'refused, a new challenge, answered',
		);
	});

	test('POST with a JSON body and query parameters', async () => {
		const node = httpRequestNode(`${apache.url}/digest/echo.cgi`, md5Credential);
		node.parameters = {
			...(node.parameters as Record<string, unknown>),
			method: 'POST',
			sendQuery: true,
			queryParameters: { parameters: [{ name: 'k', value: 'v w' }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '{"hello":"w\u00f6rld"}',
		};
		const id = await n8n.createWorkflow(chain('Digest HTTP Request POST', manualTrigger(), node));
		const run = await n8n.runWorkflowManually(id);
		assert.equal(run.status, 'success', JSON.stringify(run.error ?? run.nodes['HTTP Request']?.error));
		const out = run.nodes['HTTP Request'].json[0];
		assert.equal(out.method, 'POST');
		assert.equal(new URLSearchParams(String(out.query)).get('k'), 'v w');
		assert.deepEqual(JSON.parse(Buffer.from(String(out.body), 'base64').toString()), { hello: 'w\u00f6rld' });
	});
});

test('the passwords are nowhere: not sent to the servers, not in what n8n stored or logged', () => {
	const forms = (secret: string) => [
		secret,
		encodeURIComponent(secret),
		JSON.stringify(secret).slice(1, -1),
		Buffer.from(secret).toString('base64'),
		Buffer.from(`${USER}:${secret}`).toString('base64'),
	];
	const needles = [...forms(PASSWORD), ...forms('wrong:p\u00e4ss')];
	const folder = join(n8n.userFolder, '.n8n');
	const places = [
		{ place: "n8n's log", text: readFileSync(n8n.logFile, 'utf8') },
		...databaseRows(join(folder, 'database.sqlite')),
		...filesBelow(folder),
		{ place: 'requests to the SHA-256 server', text: JSON.stringify(sha.requests) },
	];
	assert.ok(
		places.some((p) => p.place.startsWith('database table execution_data')),
		'execution data was scanned',
	);
	for (const { place, text } of places) {
		for (const needle of needles) assert.ok(!text.includes(needle), `a password form is in ${place}`);
	}
});
