// `npm start`: builds the package and prints what n8n will load from it.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const build = spawnSync(process.execPath, [join(root, 'test/tools/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
console.log(`\n${pkg.name} ${pkg.version}: what n8n loads from dist/`);
for (const [kind, files] of [['Nodes', pkg.n8n.nodes], ['Credentials', pkg.n8n.credentials]]) {
	console.log(`\n${kind}:`);
	for (const file of files) console.log(`  ${file}  (${(statSync(join(root, file)).size / 1024).toFixed(1)} kB)`);
}
