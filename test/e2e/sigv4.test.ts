// The AWS Signature V4 credential in a real n8n, installed as users install it: the Test button
// (valid, wrong secret), Configured API Call in a manual and a production (webhook) run, and n8n's
// own HTTP Request node with the credential ("Predefined Credential Type") and each of its body
// types. Every request is checked on the wire by the rig's server, which recomputes the signature
// with AWS's own signer (@smithy/signature-v4).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSigV4Server, type SigV4Server } from '../rig/sigv4Server.ts';
import { ensureN8n, packPackage, startN8n, type N8nInstance } from './n8n.ts';
import { Canaries, describeFindings } from './secrets/canaries.ts';
import { databaseRows, filesBelow } from './secrets/storage.ts';
import { callNode, chain, httpRequestNode, manualTrigger, webhookTrigger } from './workflows.ts';

const TYPE = 'apiConnectorAwsSigV4Api';
const KEY_ID = 'AKIDE2ETEST000000001';
// Canaries (test/e2e/secrets/canaries.ts): unique values with characters every encoding writes differently.
const C = new Canaries();
const SECRET = C.make('aws.secretAccessKey');
const WRONG_SECRET = C.make('aws.wrongSecretAccessKey');
const TOKEN_KEY_ID = 'ASIAE2ETEST000000002';
const TOKEN = C.make('aws.sessionToken');

let n8n: N8nInstance;
let aws: SigV4Server;
let s3: { id: string; name: string; type: string };
let gateway: { id: string; name: string; type: string };
let unsigned: { id: string; name: string; type: string };

before(
	async () => {
		aws = await startSigV4Server({
			[KEY_ID]: { secretAccessKey: SECRET },
			[TOKEN_KEY_ID]: { secretAccessKey: SECRET, sessionToken: TOKEN },
		});
		await ensureN8n();
		// Binary data on disk: n8n's HTTP Request node then hands files over as streams.
		n8n = await startN8n({ tarball: packPackage(), env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' } });
		const data = { accessKeyId: KEY_ID, secretAccessKey: SECRET, region: 'eu-west-1', service: 's3', baseUrl: aws.url };
		s3 = await n8n.createCredential({ name: 'SigV4 s3', type: TYPE, data });
		gateway = await n8n.createCredential({
			name: 'SigV4 gateway',
			type: TYPE,
			data: { ...data, accessKeyId: TOKEN_KEY_ID, sessionToken: TOKEN, service: 'execute-api' },
		});
		unsigned = await n8n.createCredential({ name: 'SigV4 unsigned', type: TYPE, data: { ...data, payloadSigning: 'unsigned' } });
	},
	{ timeout: 20 * 60_000 },
);
after(async () => {
	await n8n?.stop();
	await aws?.close();
});

type AnyNode = ReturnType<typeof callNode>;

async function run(...nodes: AnyNode[]) {
	const refusedBefore = aws.refused.length;
	const id = await n8n.createWorkflow(chain(`sigv4 ${randomUUID()}`, manualTrigger(), ...nodes));
	const result = await n8n.runWorkflowManually(id);
	const last = nodes.at(-1)!.name;
	assert.deepEqual(aws.refused.slice(refusedBefore), [], 'the server refused no signature');
	assert.equal(result.status, 'success', JSON.stringify(result.error ?? result.nodes[last]?.error));
	return result.nodes[last].json[0];
}

describe('the Test button', () => {
	test('valid: the signed GET of the Base URL is accepted', async () => {
		const result = await n8n.testCredential({
			type: TYPE,
			data: { accessKeyId: KEY_ID, secretAccessKey: SECRET, region: 'eu-west-1', service: 's3', baseUrl: aws.url },
		});
		assert.equal(result.status, 'OK', result.message);
	});

	test('a wrong secret: a message that names the Secret Access Key and quotes no secret', async () => {
		const result = await n8n.testCredential({
			type: TYPE,
			data: { accessKeyId: KEY_ID, secretAccessKey: WRONG_SECRET, region: 'eu-west-1', service: 's3', baseUrl: aws.url },
		});
		assert.equal(result.status, 'Error');
		assert.match(result.message, /SignatureDoesNotMatch\): the signature does not match: the Secret Access Key is wrong/);
		assert.deepEqual(C.scan('Test button message', result.message), []);
	});
});

describe('Configured API Call', () => {
	test('manual run: GET with a query that needs encoding, and a session token (execute-api)', async () => {
		const output = await run(
			callNode({ url: '/prod/items/a b', sendQuery: true, queryParameters: { parameters: [{ name: 'q', value: 'x+y *~é' }] } }, gateway),
		);
		assert.equal(output.path, '/prod/items/a b');
		assert.deepEqual(output.query, [['q', 'x+y *~é']]);
		assert.ok(output.signedHeaders.includes('x-amz-security-token'));
	});

	test('manual run: PUT of a downloaded file as binary body and POST multipart with it', async () => {
		const download = callNode({ url: '/bucket/source.json', response: { format: 'file', binaryProperty: 'data' } }, s3, 'Download');
		const put = callNode(
			{ method: 'PUT', url: '/bucket/copy of ✓.json', sendBody: true, contentType: 'binary', binaryProperty: 'data' },
			s3,
			'Put',
		);
		const output = await run(download, put);
		assert.equal(output.path, '/bucket/copy of ✓.json');
		assert.ok(output.bodyLength > 0);
		const multipart = callNode(
			{
				method: 'POST',
				url: '/bucket/form',
				sendBody: true,
				contentType: 'multipart',
				multipartParameters: {
					parameters: [
						{ type: 'text', name: 'note', value: 'hi' },
						{ type: 'binary', name: 'file', binaryProperty: 'data' },
					],
				},
			},
			s3,
			'Multipart',
		);
		const parts = await run(callNode({ url: '/bucket/source.json', response: { format: 'file' } }, s3, 'Download'), multipart);
		assert.match(parts.contentType, /^multipart\/form-data; boundary=/);
	});

	test('production run (webhook): the call is signed', async () => {
		const path = `sigv4-${randomUUID()}`;
		const id = await n8n.createWorkflow(
			chain(
				'sigv4 webhook',
				webhookTrigger(path),
				callNode(
					{ method: 'POST', url: '/bucket/hook', sendBody: true, contentType: 'json', jsonInput: 'json', jsonBody: '{"from":"webhook"}' },
					s3,
				),
			),
		);
		await n8n.activateWorkflow(id);
		const refusedBefore = aws.refused.length;
		const response = await n8n.callWebhook(path, { body: {} });
		assert.equal(response.status, 200, JSON.stringify(response.body));
		const body = Array.isArray(response.body) ? response.body[0] : response.body;
		assert.equal(body.ok, true);
		assert.equal(body.path, '/bucket/hook');
		assert.deepEqual(aws.refused.slice(refusedBefore), []);
	});
});

describe("n8n's HTTP Request node with the credential", () => {
	const http = (parameters: Record<string, unknown>, credential = s3, name = 'HTTP Request') => {
		const node = httpRequestNode(`${aws.url}/bucket/from http node`, credential, name);
		return { ...node, parameters: { ...(node.parameters as Record<string, unknown>), ...parameters } };
	};

	test('GET with query parameters: encoding, and repeated names in each array format (node version 4.5)', async () => {
		const formats: Array<[string | undefined, string[]]> = [
			[undefined, ['r[]', 'r[]']],
			['repeat', ['r', 'r']],
			['brackets', ['r[]', 'r[]']],
			['indices', ['r[0]', 'r[1]']],
		];
		for (const [format, names] of formats) {
			const node = http({
				url: `${aws.url}/bucket/a b/é?inline=x y`,
				sendQuery: true,
				queryParameters: {
					parameters: [
						{ name: 'k', value: 'a+b *~' },
						{ name: 'r', value: '1' },
						{ name: 'r', value: '2' },
					],
				},
				options: format ? { queryParameterArrays: format } : {},
			});
			const output = await run({ ...node, typeVersion: 4.5 });
			assert.equal(output.path, '/bucket/a b/é');
			assert.deepEqual(
				output.query,
				[['inline', 'x y'], ['k', 'a+b *~'], ...names.map((name, i) => [name, String(i + 1)])],
				String(format),
			);
		}
	});

	test('POST JSON, form-urlencoded and raw', async () => {
		const json = await run(
			http({
				method: 'POST',
				sendBody: true,
				contentType: 'json',
				specifyBody: 'keypair',
				bodyParameters: { parameters: [{ name: 'a', value: 'é' }] },
			}),
		);
		assert.match(json.contentType, /application\/json/);
		const form = await run(
			http({
				method: 'POST',
				sendBody: true,
				contentType: 'form-urlencoded',
				specifyBody: 'keypair',
				bodyParameters: { parameters: [{ name: 'a b', value: 'c+d' }] },
			}),
		);
		assert.equal(form.contentType, 'application/x-www-form-urlencoded');
		const raw = await run(http({ method: 'POST', sendBody: true, contentType: 'raw', rawContentType: 'text/csv', body: 'a,b\n1,2' }));
		assert.equal(raw.contentType, 'text/csv');
		assert.equal(raw.bodyLength, 7);
	});

	test('PUT of a binary file, and multipart with text fields', async () => {
		const download = callNode({ url: '/bucket/source.json', response: { format: 'file', binaryProperty: 'data' } }, s3, 'Download');
		const put = await run(download, http({ method: 'PUT', sendBody: true, contentType: 'binaryData', inputDataFieldName: 'data' }));
		assert.ok(put.bodyLength > 0);
		const multipart = await run(
			http({
				method: 'POST',
				sendBody: true,
				contentType: 'multipart-form-data',
				bodyParameters: { parameters: [{ parameterType: 'formData', name: 'note', value: 'hi ✓' }] },
			}),
		);
		assert.match(multipart.contentType, /^multipart\/form-data; boundary=/);
	});

	test('multipart with a file stream and a signed payload: a clear error before anything is sent', async () => {
		const before = aws.seen.length;
		const download = callNode({ url: '/bucket/source.json', response: { format: 'file', binaryProperty: 'data' } }, s3, 'Download');
		const node = http({
			method: 'POST',
			sendBody: true,
			contentType: 'multipart-form-data',
			bodyParameters: { parameters: [{ parameterType: 'formBinaryData', name: 'file', inputDataFieldName: 'data' }] },
		});
		const id = await n8n.createWorkflow(chain(`sigv4 ${randomUUID()}`, manualTrigger(), download, node));
		const result = await n8n.runWorkflowManually(id);
		assert.equal(result.status, 'error');
		assert.match(
			JSON.stringify(result.nodes['HTTP Request']?.error ?? result.error),
			/multipart body holds a file stream[^"]*Unsigned Payload/,
		);
		assert.equal(aws.seen.length, before + 1, 'only the download reached the server');
	});

	test('multipart with a file: signed with Unsigned Payload (S3)', async () => {
		const download = callNode({ url: '/bucket/source.json', response: { format: 'file', binaryProperty: 'data' } }, s3, 'Download');
		const output = await run(
			download,
			http(
				{
					method: 'POST',
					sendBody: true,
					contentType: 'multipart-form-data',
					bodyParameters: { parameters: [{ parameterType: 'formBinaryData', name: 'file', inputDataFieldName: 'data' }] },
				},
				unsigned,
			),
		);
		assert.match(output.contentType, /^multipart\/form-data; boundary=/);
	});
});

describe('secrets', () => {
	test("the Secret Access Key reached no server; neither it nor the Session Token is in n8n's log or anything n8n stored", () => {
		const received = aws.seen.map((r) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body.toString('latin1')}`).join('\n');
		const onTheWire = C.scan('requests the server received', received);
		assert.deepEqual(
			onTheWire.filter((finding) => finding.secret !== 'aws.sessionToken'),
			[],
			'only the session token travels (to its own API)',
		);
		assert.ok(
			onTheWire.some((finding) => finding.secret === 'aws.sessionToken'),
			'the session token was sent: the scan can find it',
		);
		const folder = join(n8n.userFolder, '.n8n');
		const log = readFileSync(n8n.logFile, 'utf8');
		assert.match(log, /\| debug \|/, 'the log is at debug level');
		const stored = [{ place: "n8n's log", text: log }, ...databaseRows(join(folder, 'database.sqlite')), ...filesBelow(folder)];
		assert.ok(
			stored.some((s) => s.place.startsWith('database table execution_data')),
			'execution data was scanned',
		);
		const findings = stored.flatMap(({ place, text }) => C.scan(place, text));
		assert.equal(findings.length, 0, describeFindings(findings));
	});
});
