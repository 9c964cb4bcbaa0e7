// Key-based and static credentials through the real engine: header key, key in the URL,
// HTTP Basic, self-handled fields; the live and development keys.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApiServer, type ApiServer } from '../rig/index.ts';
import { callWorkflow, createEngine, type Engine } from './engine.ts';

let api: ApiServer;
let engine: Engine;
before(async () => {
	api = await startApiServer();
	engine = await createEngine();
});
after(async () => await api.close());

function credential(type: string, data: Record<string, unknown>) {
	return { type, ...engine.credentials.add(type, { baseUrl: api.url, testUrl: '/api/me', ...data }) };
}

async function echo(
	type: string,
	data: Record<string, unknown>,
	parameters: Record<string, unknown> = {},
	mode: 'manual' | 'trigger' = 'manual',
) {
	const result = await engine.run(
		callWorkflow({ authentication: type, method: 'GET', url: '/api/echo', ...parameters }, { credential: credential(type, data) }),
		{ mode },
	);
	const error = result.error('Call') ?? result.error();
	return {
		result,
		error,
		echo: result.output('Call')[0] as { headers: Record<string, string>; query: Record<string, string>; body: unknown },
	};
}

describe('Private Key in Header', () => {
	test('sends the prefix and the live key in the named header', async () => {
		const { echo: seen, error } = await echo(
			'apiConnectorHeaderKeyApi',
			{ headerName: 'Authorization', apiKey: 'sk-live-1' },
			{ environment: 'live' },
		);
		assert.equal(error, undefined);
		assert.equal(seen.headers.authorization, 'Bearer sk-live-1');
	});

	test('Automatic uses the development key in a manual run and the live key in a production run', async () => {
		const data = { headerName: 'X-API-Key', prefixFormat: 'plain', apiKey: 'live-2', developmentApiKey: 'dev-2' };
		assert.equal((await echo('apiConnectorHeaderKeyApi', data, {}, 'manual')).echo.headers['x-api-key'], 'dev-2');
		assert.equal((await echo('apiConnectorHeaderKeyApi', data, {}, 'trigger')).echo.headers['x-api-key'], 'live-2');
		assert.equal((await echo('apiConnectorHeaderKeyApi', data, { environment: 'live' }, 'manual')).echo.headers['x-api-key'], 'live-2');
		assert.equal(
			(await echo('apiConnectorHeaderKeyApi', data, { environment: 'development' }, 'trigger')).echo.headers['x-api-key'],
			'dev-2',
		);
	});

	test('Development without a development key is an error, never the live key', async () => {
		const before = api.requests.length;
		const { error } = await echo('apiConnectorHeaderKeyApi', { headerName: 'X-API-Key', apiKey: 'live-3' }, { environment: 'development' });
		assert.match(String(error?.message), /no development key/);
		assert.equal(api.requests.length, before, 'no call went out');
	});

	test('Automatic in a manual run without a development key uses the live key', async () => {
		const { echo: seen, error } = await echo(
			'apiConnectorHeaderKeyApi',
			{ headerName: 'X-API-Key', prefixFormat: 'plain', apiKey: 'live-3' },
			{ environment: 'automatic' },
			'manual',
		);
		assert.equal(error, undefined, String(error?.message));
		assert.equal(seen.headers['x-api-key'], 'live-3');
	});

	test('the development key goes to the Development Base URL, the live key to the Base URL', async () => {
		const sandbox = await startApiServer();
		try {
			const data = {
				headerName: 'X-API-Key',
				prefixFormat: 'plain',
				apiKey: 'live-4',
				developmentApiKey: 'dev-4',
				developmentBaseUrl: sandbox.url,
			};
			const development = await echo('apiConnectorHeaderKeyApi', data, { environment: 'development' });
			assert.equal(development.error, undefined, String(development.error?.message));
			assert.equal(sandbox.requests.at(-1)?.headers['x-api-key'], 'dev-4');
			const before = api.requests.length;
			const live = await echo('apiConnectorHeaderKeyApi', data, { environment: 'live' });
			assert.equal(live.echo.headers['x-api-key'], 'live-4');
			assert.equal(api.requests.length, before + 1);
			assert.equal(sandbox.requests.length, 1, 'the sandbox saw only the development call');
		} finally {
			await sandbox.close();
		}
	});

	test('a refused key names which key was sent', async () => {
		const refusing = await startApiServer({ authorize: () => false });
		try {
			const { error } = await engine
				.run(
					callWorkflow(
						{ authentication: 'apiConnectorHeaderKeyApi', environment: 'development', method: 'GET', url: '/api/me' },
						{
							credential: {
								type: 'apiConnectorHeaderKeyApi',
								...engine.credentials.add('apiConnectorHeaderKeyApi', {
									headerName: 'X-Key',
									apiKey: 'l',
									developmentApiKey: 'd-5',
									baseUrl: refusing.url,
								}),
							},
						},
					),
				)
				.then((result) => ({ error: result.error('Call') }));
			assert.match(String(error?.description), /the development key was sent/);
		} finally {
			await refusing.close();
		}
	});

	test('a header name with a line break is refused before any call', async () => {
		const { error } = await echo('apiConnectorHeaderKeyApi', { headerName: 'X-Key\r\nX-Evil: 1', apiKey: 'k' }, { environment: 'live' });
		assert.match(String(error?.message), /not a valid HTTP header name/);
		assert.doesNotMatch(String(error?.message), /\r|\n/);
	});
});

describe('Private Key in URL', () => {
	test("adds the key as the named query parameter, keeping the call's own parameters", async () => {
		const { echo: seen } = await echo(
			'apiConnectorQueryKeyApi',
			{ parameterName: 'key', apiKey: 'q-live', developmentApiKey: 'q-dev' },
			{ environment: 'automatic', sendQuery: true, queryParameters: { parameters: [{ name: 'page', value: '2' }] } },
			'trigger',
		);
		assert.deepEqual(seen.query, { page: '2', key: 'q-live' });
	});
});

describe('HTTP Basic', () => {
	test('a password with ":" and non-ASCII characters is sent as UTF-8', async () => {
		const password = 'pä:ss:wörd-✓';
		const { echo: seen } = await echo('apiConnectorBasicAuthApi', { username: 'zoë', password });
		const decoded = Buffer.from(seen.headers.authorization.replace(/^Basic /, ''), 'base64').toString('utf8');
		assert.equal(decoded, `zoë:${password}`);
	});

	test('a username with ":" is refused with the reason', async () => {
		const { error } = await echo('apiConnectorBasicAuthApi', { username: 'a:b', password: 'x' });
		assert.match(String(error?.message), /username cannot contain ":"/);
	});
});

describe('Self-handled', () => {
	test('merges secret headers, query parameters and body fields into every call', async () => {
		const fields = (pairs: Record<string, string>) => ({ values: Object.entries(pairs).map(([name, value]) => ({ name, value })) });
		const { echo: seen, error } = await echo(
			'apiConnectorCustomAuthApi',
			{
				headers: fields({ 'X-App-Token': 'h-secret' }),
				queryParameters: fields({ app_id: 'q-secret' }),
				bodyFields: fields({ signature: 'b-secret' }),
			},
			{
				method: 'POST',
				sendBody: true,
				contentType: 'json',
				jsonInput: 'fields',
				bodyParameters: { parameters: [{ name: 'order', value: '42' }] },
			},
		);
		assert.equal(error, undefined);
		assert.equal(seen.headers['x-app-token'], 'h-secret');
		assert.equal(seen.query.app_id, 'q-secret');
		assert.deepEqual(seen.body, { order: '42', signature: 'b-secret' });
	});
});
