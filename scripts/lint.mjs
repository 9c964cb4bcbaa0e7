// `npm run lint`: the fast checks, in seconds. Prettier's formatting, ESLint with n8n's
// community-node rules over the shipped sources and package.json, the type check of the
// package, and of the tests and tools.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './paths.mjs';
import { helpOnRequest } from './help.mjs';

helpOnRequest(`
npm run lint
  Prettier's check, ESLint with n8n's community-node rules, and the type checks of the package,
  the tests and the tools. The first suite of npm test.
`);

const bin = (tool) => join(root, 'node_modules', '.bin', tool);
const checks = [
	[
		'Prettier (formatting)',
		bin('prettier'),
		['--check', '--log-level=warn', 'nodes', 'credentials', 'scripts', 'test', 'gulpfile.js', 'index.js', 'eslint.config.mjs'],
	],
	['ESLint (community-node rules)', bin('eslint'), ['.']],
	['types of the package', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']],
	['types of the tests and tools', bin('tsc'), ['-p', 'test/tsconfig.json']],
	['types of the unit tests', bin('tsc'), ['-p', 'test/unit/tsconfig.json']],
];
let failed = 0;
for (const [what, cmd, args] of checks) {
	const started = Date.now();
	const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
	const ok = result.status === 0;
	if (!ok) failed++;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(failed ? 1 : 0);
