// `npm test`: every check, fastest first, each suite in its own run so that order holds:
//   lint    ESLint with n8n's community-node rules, type checks (scripts/lint.mjs)
//   unit    pure helpers, straight from the TypeScript sources, no build (seconds)
//   gate    n8n's community-package scanner over the source and the packed tarball
//   rig     the test servers themselves
//   engine  workflows through n8n-core's real execution engine
//   e2e     a real n8n with the package installed as the README says
// Stops at the first suite that fails.
//
//   npm test -- unit engine                      only these suites
//   npm test -- test/engine/calls.test.ts        only these files
//   npm test -- --test-name-pattern=redirect     any flag of node --test, passed through
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { root } from './paths.mjs';
import { helpOnRequest } from './help.mjs';

helpOnRequest(`
npm test [-- [suite...] [file...] [node --test flags]]
  Suites, in this order: lint, unit, gate, rig, engine, e2e (default: all). Stops at the first
  suite that fails.
    npm test -- unit engine                     only these suites
    npm test -- test/engine/calls.test.ts       only these files
    npm test -- --test-name-pattern=redirect    flags of node --test, passed through
  npm run test:unit is npm test -- unit: the unit tests from the TypeScript sources, no build.
  Environment: N8N_E2E_KEEP=1 keeps each e2e n8n's folder (database, n8n.log); E2E_ARTIFACTS=<dir>
  keeps browser screenshots and traces; CHROMIUM_PATH=<binary> picks the browser;
  API_CONNECTOR_CACHE=<dir> moves the cache of Node 24 and n8n (default ~/.cache/n8n-nodes-api-connector).
`);

const SUITES = ['lint', 'unit', 'gate', 'rig', 'engine', 'e2e'];
const args = process.argv.slice(2);
const flags = args.filter((arg) => arg.startsWith('-'));
const named = args.filter((arg) => SUITES.includes(arg));
const files = args.filter((arg) => !arg.startsWith('-') && !SUITES.includes(arg));
for (const file of files) {
	if (!existsSync(resolve(root, file))) {
		console.error(`No such test file or suite: ${file}. Suites: ${SUITES.join(', ')}.`);
		process.exit(2);
	}
}

/** The suite a test file belongs to: the folder below test/. */
const suiteOf = (file) => relative(join(root, 'test'), resolve(root, file)).split(/[\\/]/)[0];
const plan = files.length
	? SUITES.filter((suite) => files.some((file) => suiteOf(file) === suite)).map((suite) => [
			suite,
			files.filter((file) => suiteOf(file) === suite),
		])
	: (named.length ? named : SUITES).map((suite) => [suite, suite === 'lint' ? [] : testFiles(suite)]);

function testFiles(suite) {
	const folder = join(root, 'test', suite);
	return existsSync(folder)
		? readdirSync(folder)
				.filter((f) => f.endsWith('.test.ts'))
				.sort()
				.map((f) => join('test', suite, f))
		: [];
}

const timings = [];
function step(what, cmd, cmdArgs) {
	const started = Date.now();
	const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit' });
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	timings.push(`${what} ${seconds} s`);
	console.log(`\n${what}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
	if (result.status !== 0) {
		console.log(`(${timings.join(', ')})`);
		process.exit(result.status ?? 1);
	}
}

// No test leaves files behind: what the tests create in the temporary folder (these prefixes)
// must be gone at the end. N8N_E2E_KEEP=1 keeps n8n's folders on purpose.
const OURS = /^(api-connector-|boundary-ca-|e2e-chromium-|e2e-export-|n8n-e2e-)/;
const ours = () => new Set(readdirSync(tmpdir()).filter((name) => OURS.test(name)));
const before = ours();

let built = false;
for (const [suite, suiteFiles] of plan) {
	if (suite === 'lint') {
		step('lint', process.execPath, [join(root, 'scripts/lint.mjs')]);
		continue;
	}
	if (!suiteFiles.length) continue;
	if (suite !== 'unit' && !built) {
		step('build', process.execPath, [join(root, 'scripts/build.mjs')]);
		built = true;
	}
	// Unit tests load the TypeScript sources through ts-register; the others the built dist/.
	// One file at a time: each e2e file runs its own n8n, and the machines have two cores.
	const loader = suite === 'unit' ? ['--import', './scripts/ts-register.mjs'] : [];
	step(suite, process.execPath, [...loader, '--test', '--test-concurrency=1', '--test-reporter=spec', ...flags, ...suiteFiles]);
}
const left = [...ours()].filter((name) => !before.has(name));
if (left.length && process.env.N8N_E2E_KEEP !== '1') {
	console.log(`\nThe tests left files behind in ${tmpdir()}: ${left.join(', ')}`);
	process.exit(1);
}
console.log(`\nAll passed (${timings.join(', ')}).`);
