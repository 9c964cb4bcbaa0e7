// Compiles nodes/ and credentials/ into dist/ and copies the icons beside them.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helpOnRequest } from './help.mjs';

helpOnRequest(`
npm run build
  Compiles nodes/ and credentials/ into dist/ (with source maps) and copies the icons and codex
  files beside them. npm pack runs it first (prepack).
`);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

rmSync(resolve(root, 'dist'), { recursive: true, force: true });
for (const [tool, args] of [
	['tsc', ['-p', 'tsconfig.json']],
	['gulp', ['build:icons', '--silent']],
]) {
	const result = spawnSync(resolve(root, 'node_modules/.bin', tool), args, { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) {
		console.error(`${tool} ${args.join(' ')} failed`);
		process.exit(1);
	}
}
console.log('Built dist/');
