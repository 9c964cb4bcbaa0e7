// The headless demo (`npm start -- --headless`), in-process: a real n8n with the package from its
// tarball, the demo API, the demo credentials and workflows, and a run of every demo workflow.
// Every row of the table must say OK, and every credential's Test button too. The authorization
// code credential is connected through n8n's own OAuth2 routes (auth URL, the demo login page,
// n8n's callback with the owner's session), without a browser.
// Needs dist/ (npm run build); installs n8n into the cache folder on first use (~4 min).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { runHeadless, type HeadlessResult } from '../demo/demo.ts';
import { METHODS } from '../demo/setup.ts';

let result: HeadlessResult;

before(
	async () => {
		result = await runHeadless();
		console.log(`\n${result.table}\n`);
		const t = result.timings;
		console.log(
			`[demo] n8n start ${(t['n8n start'] / 1000).toFixed(1)} s, setup ${(t.setup / 1000).toFixed(1)} s, runs ${(t.runs / 1000).toFixed(1)} s`,
		);
	},
	{ timeout: 20 * 60_000 },
);

describe('headless demo', () => {
	test('has one row per method', () => {
		assert.deepEqual(
			result.rows.map((r) => r.method),
			METHODS.map((m) => m.method),
		);
	});

	for (const m of METHODS) {
		test(`${m.method}: the workflow runs${m.connect ? ' once connected' : ' and the Test button is OK'}`, () => {
			const row = result.rows.find((r) => r.method === m.method);
			assert.ok(row, `no row for ${m.method}`);
			assert.match(row.result, /^OK: /, row.result);
			assert.ok(row.ok && row.passed);
			// The editor has no Test button for OAuth2 credentials (it shows "Account connected"):
			// the authorization code proves itself by the run above.
			const entry = result.entries.find((e) => e.method.method === m.method);
			if (!m.connect) assert.equal(entry?.test?.status, 'OK', entry?.test?.message);
		});
	}

	test('the table says it all', () => {
		assert.match(result.table, /^\| Method +\| Result +\| +Time \|$/m);
		assert.equal(result.table.split('\n').length, METHODS.length + 2);
		assert.ok(result.ok);
	});
});
