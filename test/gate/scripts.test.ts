// Every script of package.json runs (at least to its --help), and npm pack makes a complete
// package on its own: it builds first (prepack), whatever dist/ held before.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from '../../scripts/paths.mjs';
import { cleanEnv } from '../e2e/process.ts';

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	scripts: Record<string, string>;
	n8n: { nodes: string[]; credentials: string[] };
};
const npm = (args: string[]) => spawnSync('npm', args, { cwd: root, encoding: 'utf8', env: cleanEnv() });

for (const name of Object.keys(manifest.scripts).filter((n) => !['prepack', 'prepublishOnly'].includes(n))) {
	test(`npm ${name === 'start' || name === 'test' ? name : `run ${name}`} -- --help`, () => {
		const result = npm(['run', name, '--', '--help']);
		assert.equal(result.status, 0, result.stdout + result.stderr);
		assert.match(result.stdout, new RegExp(`npm (run )?${name.split(':')[0]}`));
	});
}

test('npm pack builds the package before packing it: every node and credential of package.json is in it', () => {
	rmSync(join(root, 'dist'), { recursive: true, force: true });
	const result = npm(['pack', '--dry-run', '--json']);
	assert.equal(result.status, 0, result.stderr);
	const [{ files }] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{ files: Array<{ path: string }> }>;
	const packed = new Set(files.map((file) => file.path));
	for (const file of [...manifest.n8n.nodes, ...manifest.n8n.credentials]) assert.ok(packed.has(file), `${file} is in the package`);
	assert.ok(
		files.some((file) => file.path.endsWith('.js.map')),
		'source maps are shipped',
	);
});
