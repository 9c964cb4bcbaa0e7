// The catalog of credential types that the nodes rely on matches the credential types n8n loads.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { INodeProperties } from 'n8n-workflow';
import { loadPackage, root } from './engine.ts';

const require = createRequire(import.meta.url);
// The compiled catalog, as the nodes use it.
const catalog = require(`${root}/dist/credentials/common/catalog.js`) as {
	CREDENTIAL_CATALOG: Array<{ type: string; kind: string }>;
	SECRET_FIELDS: string[];
	SECRET_COLLECTIONS: string[];
};
const tokens = require(`${root}/dist/credentials/common/tokens.js`) as {
	tokenInputs(properties: INodeProperties[]): string[];
	fingerprint(data: Record<string, unknown>, fields: string[]): string;
};

test('every credential type is in the catalog, and the catalog names no other', async () => {
	const loader = await loadPackage();
	assert.deepEqual(Object.keys(loader.credentialTypes).sort(), catalog.CREDENTIAL_CATALOG.map((entry) => entry.type).sort());
});

test('every password field of every credential type is known as a secret (for blanking messages)', async () => {
	const loader = await loadPackage();
	const missing: string[] = [];
	for (const [type, { type: credential }] of Object.entries(loader.credentialTypes)) {
		const visit = (properties: INodeProperties[], collection?: string) => {
			for (const property of properties) {
				for (const option of (property.options ?? []) as Array<{ values?: INodeProperties[] }>) {
					if (option.values) visit(option.values, property.name);
				}
				if (!property.typeOptions?.password) continue;
				const known = collection ? catalog.SECRET_COLLECTIONS.includes(collection) : catalog.SECRET_FIELDS.includes(property.name);
				if (!known) missing.push(`${type}.${collection ? `${collection}.` : ''}${property.name}`);
			}
		};
		visit(credential.properties);
	}
	assert.deepEqual(missing, []);
});

test('a token depends on every field of its credential except where it is put and what the node does around calls', async () => {
	const loader = await loadPackage();
	const placementOnly = [
		'baseUrl',
		'testUrl',
		'refreshOnStatus',
		'tokenTimeout',
		'placement',
		'headerName',
		'prefixFormat',
		'customPrefix',
		'queryParameter',
	];
	const tokenTypes = catalog.CREDENTIAL_CATALOG.filter((entry) => entry.kind === 'token');
	assert.ok(tokenTypes.length >= 3);
	for (const { type } of tokenTypes) {
		const properties = loader.credentialTypes[type].type.properties;
		const inputs = tokens.tokenInputs(properties);
		const state = ['accessToken', 'refreshToken', 'tokenExpiresAt', 'tokenRefreshAt', 'tokenFor'];
		for (const property of properties) {
			const expected = !state.includes(property.name) && !placementOnly.includes(property.name) && property.type !== 'notice';
			assert.equal(inputs.includes(property.name), expected, `${type}.${property.name}`);
		}
		// Changing any input gives another fingerprint, so a stored token is withheld after the edit.
		const base = Object.fromEntries(inputs.map((name) => [name, `value of ${name}`]));
		for (const name of inputs) {
			assert.notEqual(tokens.fingerprint({ ...base, [name]: 'edited' }, inputs), tokens.fingerprint(base, inputs), `${type}.${name}`);
		}
	}
});

test('Configured API Call offers every credential type, each tested by the node except the authorization code', async () => {
	const loader = await loadPackage();
	const node = loader.nodeTypes.configuredApiCall.type as { description: { credentials: Array<{ name: string; testedBy?: string }> } };
	assert.deepEqual(node.description.credentials.map((c) => c.name).sort(), catalog.CREDENTIAL_CATALOG.map((entry) => entry.type).sort());
	for (const credential of node.description.credentials) {
		assert.equal(credential.testedBy, credential.name === 'apiConnectorAuthCodeOAuth2Api' ? undefined : 'testCredential', credential.name);
	}
});
