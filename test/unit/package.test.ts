// What n8n reads from the package besides code: codex files and documentation links.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from '../../scripts/paths.mjs';

// The categories n8n's nodes panel knows (n8n's own "Core Nodes" is not for community packages).
const CATEGORIES = [
	'Analytics',
	'Communication',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'Marketing',
	'Miscellaneous',
	'Productivity',
	'Sales',
	'Utility',
];

const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } };

for (const node of manifest.n8n.nodes) {
	const codexFile = join(root, node.replace(/^dist\//, '').replace(/\.js$/, '.json'));
	test(`${codexFile.slice(root.length + 1)}: valid categories, documentation for the node and its credentials`, () => {
		const codex = JSON.parse(readFileSync(codexFile, 'utf8')) as {
			categories: string[];
			resources: Record<string, Array<{ url: string }>>;
		};
		assert.ok(codex.categories.length > 0);
		assert.deepEqual(
			codex.categories.filter((category) => !CATEGORIES.includes(category)),
			[],
		);
		for (const kind of ['primaryDocumentation', 'credentialDocumentation']) {
			assert.match(codex.resources[kind]?.[0]?.url ?? '', /^https:\/\//, kind);
		}
	});
}
