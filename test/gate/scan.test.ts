// The community-node gate: @n8n/scan-community-package's own rules (analyzePackage) over the
// source and over the published tarball, exactly as n8n scans a package before verifying it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
import { root } from '../../scripts/paths.mjs';

const work = mkdtempSync(join(tmpdir(), 'api-connector-gate-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the source passes the scanner', async () => {
	const result = await analyzePackage(root, SOURCE_FILE_PATTERNS);
	assert.equal(result.passed, true, `${result.message}\n${result.details ?? ''}`);
});

test('the npm tarball passes the scanner and ships only dist, index.js, package.json and docs', async () => {
	const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' })
		.trim()
		.split('\n')
		.pop() as string;
	const unpacked = join(work, 'package');
	execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
	const top = readdirSync(unpacked).sort();
	assert.deepEqual(
		top.filter((name) => !['dist', 'index.js', 'package.json', 'README.md', 'LICENSE', 'SECURITY.md'].includes(name)),
		[],
	);
	const result = await analyzePackage(unpacked);
	assert.equal(result.passed, true, `${result.message}\n${result.details ?? ''}`);
});
