// `npm run lint` as a test: the n8n community-node rules over the shipped sources, and the
// TypeScript check of the tests themselves.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { root } from '../../scripts/paths.mjs';

test('ESLint with the community-node rules finds no error or warning', async () => {
	const eslint = new ESLint({ cwd: root });
	const results = await eslint.lintFiles(['.']);
	const problems = results.filter((result) => result.errorCount + result.warningCount > 0);
	const formatted = await (await eslint.loadFormatter('stylish')).format(problems);
	assert.equal(problems.length, 0, formatted);
	assert.ok(results.length > 10, `ESLint looked at only ${results.length} files`);
});

test('the tests type-check', () => {
	const result = spawnSync(resolve(root, 'node_modules/.bin/tsc'), ['-p', 'test/tsconfig.json'], { cwd: root, encoding: 'utf8' });
	assert.equal(result.status, 0, result.stdout + result.stderr);
});
