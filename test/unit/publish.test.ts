// The publish guard (prepublishOnly): n8n accepts only packages published with provenance from
// GitHub Actions, which names a public repository.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { publishProblems } from '../../scripts/publish-guard.mjs';
import { root } from '../../scripts/paths.mjs';

const ready = { repository: { url: 'git+https://github.com/owner/n8n-nodes-api-connector.git' } };
const actions = { npm_config_provenance: 'true', GITHUB_ACTIONS: 'true' };

test('a publish from GitHub Actions with provenance and a repository passes', () => {
	assert.deepEqual(publishProblems(ready, actions), []);
});

test('each missing piece is named', () => {
	assert.match(publishProblems({}, actions).join(), /no "repository"/);
	assert.match(publishProblems({ repository: 'https://gitlab.com/a/b' }, actions).join(), /not a GitHub repository/);
	assert.match(publishProblems(ready, { GITHUB_ACTIONS: 'true' }).join(), /without --provenance/);
	assert.match(publishProblems(ready, { npm_config_provenance: 'true' }).join(), /must run in GitHub Actions/);
});

test('npm publish from a working copy is refused before anything is uploaded (the repository is not set yet)', () => {
	// --dry-run uploads nothing either way; the guard stops it first, as it stops a real publish.
	const result = spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts=false'], {
		cwd: root,
		encoding: 'utf8',
		env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', GITHUB_ACTIONS: '', npm_config_provenance: '' },
	});
	assert.notEqual(result.status, 0);
	assert.match(result.stderr, /Not publishing n8n-nodes-api-connector@.*no "repository"/s);
});
