// examples/: one importable workflow per authentication method. Each file is what
// `npm run examples` writes (no drift), imports into a real n8n with n8n's own CLI
// (`n8n import:workflow`, as a user would from the command line), and runs once the user has
// picked a credential: here the demo's credential of the same type, against the demo API.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { root } from '../../scripts/paths.mjs';
import { startDemo, type Demo } from '../demo/demo.ts';
import { connectAuthCode, exampleFile, exampleFor, METHODS } from '../demo/setup.ts';

const folder = join(root, 'examples');
let demo: Demo;

before(async () => (demo = await startDemo({ exitOnSignal: true })), { timeout: 20 * 60_000 });
after(async () => await demo?.stop());

describe('examples', () => {
	test('one file per authentication method, each exactly what npm run examples writes', () => {
		assert.deepEqual(readdirSync(folder).sort(), METHODS.map(exampleFile).sort());
		for (const method of METHODS) {
			assert.deepEqual(
				JSON.parse(readFileSync(join(folder, exampleFile(method)), 'utf8')),
				JSON.parse(JSON.stringify(exampleFor(method))),
				`${exampleFile(method)}: run npm run examples`,
			);
		}
	});

	for (const method of METHODS) {
		test(`${exampleFile(method)}: imports with n8n's CLI and runs with a credential of its type`, async () => {
			const { n8n, entries } = demo;
			const file = join(folder, exampleFile(method));
			const name = exampleFor(method).name;
			await n8n.importWorkflows(file);
			const found = await n8n.rest<Array<{ id: string; name: string }>>(
				'GET',
				`/workflows?filter=${encodeURIComponent(JSON.stringify({ name }))}`,
			);
			const imported = found.find((w) => w.name === name);
			assert.ok(imported, `${name} is in n8n after the import`);
			// What the user does next: open the node and pick their credential.
			const entry = entries.find((e) => e.method.method === method.method);
			assert.ok(entry);
			if (method.connect) await connectAuthCode(n8n, entry.credential.id);
			const workflow = await n8n.rest('GET', `/workflows/${imported.id}`);
			for (const node of workflow.nodes as Array<{ credentials?: Record<string, unknown> }>) {
				if (node.credentials?.[method.type]) node.credentials[method.type] = { id: entry.credential.id, name: entry.credential.name };
			}
			await n8n.rest('PATCH', `/workflows/${imported.id}?forceSave=true`, {
				nodes: workflow.nodes,
				connections: workflow.connections,
				versionId: workflow.versionId,
			});
			const run = await n8n.runWorkflowManually(imported.id);
			const failed = Object.values(run.nodes).find((node) => node.error)?.error;
			assert.equal(run.status, 'success', JSON.stringify(failed ?? run.error));
			const output = run.nodes[method.call === 'openai' ? 'List Models' : 'Call the API'].json;
			assert.ok(output.length > 0, 'the API answered');
		});
	}
});
