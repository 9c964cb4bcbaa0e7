// `npm test`: builds the package, then runs every suite through Node's test runner: the gate
// (lint, type check, n8n's scanner), the rig, the engine tests (n8n-core's real engine) and the
// end-to-end tests (a real n8n with the package installed from its tarball).
// `npm test -- engine` runs only the suites whose folder is named.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['gate', 'rig', 'engine', 'e2e'];
const chosen = process.argv.slice(2).filter((arg) => SUITES.includes(arg));
const suites = chosen.length ? chosen : SUITES;

const step = (what, cmd, args) => {
	const started = Date.now();
	const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
	console.log(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
	if (result.status !== 0) process.exit(result.status ?? 1);
};

step('build', process.execPath, [join(root, 'scripts/build.mjs')]);
const files = suites.flatMap((suite) => {
	const folder = join(root, 'test', suite);
	return existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.test.ts')).sort().map((f) => join('test', suite, f)) : [];
});
// One file at a time: the end-to-end files share one n8n, and the machine has two cores.
step('tests', process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files]);
