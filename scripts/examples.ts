// `npm run examples`: writes examples/<method>.json, one importable workflow per authentication
// method, from the demo's method list (test/demo/setup.ts). test/e2e/examples.test.ts checks
// the files are what this writes, imports each into a real n8n and runs it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleFile, exampleFor, METHODS } from '../test/demo/setup.ts';
import { helpOnRequest } from './help.mjs';
import { root } from './paths.mjs';

helpOnRequest(`
npm run examples
  Writes examples/<method>.json, one importable workflow per authentication method, from the
  demo's methods (test/demo/setup.ts). The e2e suite checks the files and runs each in n8n.
`);

const folder = join(root, 'examples');
mkdirSync(folder, { recursive: true });
for (const method of METHODS) {
	writeFileSync(join(folder, exampleFile(method)), `${JSON.stringify(exampleFor(method), null, '\t')}\n`);
}
console.log(`Wrote ${METHODS.length} examples into ${folder}`);
