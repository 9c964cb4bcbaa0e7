import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApiServer, type ApiServer } from '../rig/index.ts';
import { callWorkflow, createEngine, type Engine } from './engine.ts';

let api: ApiServer;
let engine: Engine;
before(async () => {
	api = await startApiServer({ authorize: (req) => req.headers['x-api-key'] === 'live-key' });
	engine = await createEngine();
});
after(async () => await api.close());

test('header key reaches the API through the real engine', async () => {
	const credential = {
		type: 'apiConnectorHeaderKeyApi',
		...engine.credentials.add('apiConnectorHeaderKeyApi', {
			headerName: 'X-API-Key',
			prefixFormat: 'plain',
			apiKey: 'live-key',
			testUrl: '/api/me',
			baseUrl: api.url,
		}),
	};
	const result = await engine.run(
		callWorkflow(
			{ authentication: 'apiConnectorHeaderKeyApi', environment: 'live', method: 'GET', url: '/api/echo' },
			{ credential, count: 3 },
		),
	);
	assert.equal(result.error(), undefined, String(result.error()?.message));
	const output = result.output('Call');
	assert.equal(output.length, 3);
	assert.equal((output[0].headers as Record<string, string>)['x-api-key'], 'live-key');
});
