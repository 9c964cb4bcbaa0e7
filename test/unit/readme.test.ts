// The README is a contract: its commands exist and are what the tests run, its field names are
// the forms' field names, its links lead somewhere.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { ApiConnectorAwsSigV4Api } from '../../credentials/ApiConnectorAwsSigV4Api.credentials.ts';
import { ApiConnectorAuthCodeOAuth2Api } from '../../credentials/ApiConnectorAuthCodeOAuth2Api.credentials.ts';
import { ApiConnectorClientCertificateApi } from '../../credentials/ApiConnectorClientCertificateApi.credentials.ts';
import { ApiConnectorClientCredentialsOAuth2Api } from '../../credentials/ApiConnectorClientCredentialsOAuth2Api.credentials.ts';
import { ApiConnectorDigestAuthApi } from '../../credentials/ApiConnectorDigestAuthApi.credentials.ts';
import { ApiConnectorCustomTokenOAuth2Api } from '../../credentials/ApiConnectorCustomTokenOAuth2Api.credentials.ts';
import { ApiConnectorHeaderKeyApi } from '../../credentials/ApiConnectorHeaderKeyApi.credentials.ts';
import { ApiConnectorJwtBearerApi } from '../../credentials/ApiConnectorJwtBearerApi.credentials.ts';
import { ApiConnectorOpenAiApi } from '../../credentials/ApiConnectorOpenAiApi.credentials.ts';
import { ApiConnectorPasswordGrantOAuth2Api } from '../../credentials/ApiConnectorPasswordGrantOAuth2Api.credentials.ts';
import { ApiConnectorQueryKeyApi } from '../../credentials/ApiConnectorQueryKeyApi.credentials.ts';
import { INSTALL_ARGS } from '../../scripts/install-command.mjs';
import { root } from '../../scripts/paths.mjs';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; scripts: Record<string, string> };

/** The text of a `### heading` section, up to the next heading. */
function sectionOf(heading: string): string {
	const start = readme.indexOf(`\n### ${heading}\n`);
	assert.ok(start >= 0, `README has a "### ${heading}" section`);
	const next = readme.slice(start + 1).search(/\n#{2,3} /);
	return readme.slice(start, next < 0 ? undefined : start + 1 + next);
}

/** Every displayName in a form, fixedCollection fields included. */
function fieldNames(type: ICredentialType): Set<string> {
	const names = new Set<string>();
	const visit = (properties: INodeProperties[]) => {
		for (const property of properties) {
			names.add(property.displayName);
			for (const option of (property.options ?? []) as Array<{ values?: INodeProperties[] }>) if (option.values) visit(option.values);
		}
	};
	visit(type.properties);
	return names;
}

describe('commands', () => {
	test('the by-hand install is the command the e2e suite installs with', () => {
		assert.ok(
			readme.includes(`npm ${INSTALL_ARGS.join(' ')} ./${manifest.name}-<version>.tgz`),
			`README says: npm ${INSTALL_ARGS.join(' ')} ./${manifest.name}-<version>.tgz`,
		);
	});

	test('every npm script is in the README, and every `npm run` the README names exists', () => {
		const lifecycle = ['prepack', 'prepublishOnly'];
		for (const name of Object.keys(manifest.scripts).filter((n) => !lifecycle.includes(n))) {
			const said = name === 'start' || name === 'test' ? `npm ${name}` : `npm run ${name}`;
			assert.ok(readme.includes(said), `README names ${said}`);
		}
		for (const [, name] of readme.matchAll(/npm run ([\w:-]+)/g)) assert.ok(name in manifest.scripts, `npm run ${name} exists`);
	});
});

describe("credential field names are the forms' names", () => {
	// The authorization-code type extends n8n's own oAuth2Api, which brings these fields.
	const inherited = ['Client ID', 'Client Secret'];
	const sections: Array<[string, ICredentialType, string[]]> = [
		['Private key in header', new ApiConnectorHeaderKeyApi(), []],
		['Private key in URL', new ApiConnectorQueryKeyApi(), []],
		['HTTP Digest', new ApiConnectorDigestAuthApi(), []],
		['Client certificate (mTLS)', new ApiConnectorClientCertificateApi(), []],
		['OAuth2 password grant', new ApiConnectorPasswordGrantOAuth2Api(), []],
		['OAuth2 client credentials', new ApiConnectorClientCredentialsOAuth2Api(), []],
		['OAuth2 custom token request', new ApiConnectorCustomTokenOAuth2Api(), []],
		['OAuth2 authorization code', new ApiConnectorAuthCodeOAuth2Api(), inherited],
		['JSON Web Token bearer grant', new ApiConnectorJwtBearerApi(), []],
		['OpenAI', new ApiConnectorOpenAiApi(), []],
		['AWS Signature V4', new ApiConnectorAwsSigV4Api(), []],
	];
	for (const [heading, type, extra] of sections) {
		test(heading, () => {
			const names = new Set([...fieldNames(type), ...extra]);
			const table = sectionOf(heading).split('| Field | Meaning |')[1]?.split('\n\n')[0] ?? '';
			const rows = table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('|---'));
			assert.ok(rows.length > 0, `${heading} has a field table`);
			for (const row of rows) {
				for (const name of row
					.split('|')[1]
					.split(',')
					.map((n) => n.trim()))
					assert.ok(names.has(name), `"${name}" (README, ${heading}) is a field of ${type.name}`);
			}
		});
	}
});

test('the client-authentication table names fields of the forms', () => {
	const type = new ApiConnectorClientCredentialsOAuth2Api();
	const names = fieldNames(type);
	const methods = (type.properties.find((p) => p.name === 'clientAuthentication')?.options ?? []).map((o) => (o as { name: string }).name);
	const section = readme.slice(readme.indexOf('\n#### Client authentication\n'));
	const rows = section.split('| Client Authentication | What is sent | Fields |')[1].split('\n\n')[0].split('\n').slice(2);
	assert.ok(rows.length === 4, 'one row per method');
	for (const row of rows) {
		const [, method, , fields] = row.split('|').map((cell) => cell.trim());
		assert.ok(methods.includes(method), `"${method}" is a Client Authentication option`);
		for (const name of fields.split(',').map((n) => n.trim())) {
			if (!name.startsWith('the **')) assert.ok(names.has(name), `"${name}" (README, client authentication) is a field`);
		}
	}
});

test('every link to a section of the README leads to a heading', () => {
	const slugs = new Set(
		[...readme.matchAll(/^#{1,4} (.+)$/gm)].map(([, title]) =>
			title
				.toLowerCase()
				.replace(/[^\w\- ]/g, '')
				.replace(/ /g, '-'),
		),
	);
	for (const [, anchor] of readme.matchAll(/\]\(#([^)]+)\)/g)) assert.ok(slugs.has(anchor), `#${anchor} is a heading`);
});
