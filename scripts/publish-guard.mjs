// `prepublishOnly`: refuses a publish that n8n would not accept. Since 2026-05-01 n8n installs
// community packages only when they were published from a GitHub Actions workflow with an npm
// provenance statement, which names the package's public repository. So a publish needs:
//   - "repository" in package.json, the public GitHub repository the package is built from;
//   - npm publish --provenance, from GitHub Actions (.github/workflows/publish.yml does both).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from './paths.mjs';

export function publishProblems(manifest, env) {
	const problems = [];
	const repository = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
	if (!repository) {
		problems.push(
			'package.json has no "repository": set it to the public GitHub repository this package is published from (the provenance statement names it, and n8n checks it).',
		);
	} else if (!/github\.com[/:][\w.-]+\/[\w.-]+/.test(repository)) {
		problems.push(`"repository" (${repository}) is not a GitHub repository URL: npm provenance comes from GitHub Actions.`);
	}
	if (env.npm_config_provenance !== 'true') {
		problems.push('npm publish was run without --provenance: n8n refuses community packages without a provenance statement.');
	}
	if (env.GITHUB_ACTIONS !== 'true') {
		problems.push('npm publish must run in GitHub Actions (.github/workflows/publish.yml), where npm can sign the provenance statement.');
	}
	return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
	const problems = publishProblems(manifest, process.env);
	if (problems.length) {
		console.error(
			`Not publishing ${manifest.name}@${manifest.version}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee the README, "Publishing".`,
		);
		process.exit(1);
	}
	console.error(`Publishing ${manifest.name}@${manifest.version} with provenance from ${manifest.repository?.url ?? manifest.repository}.`);
}
