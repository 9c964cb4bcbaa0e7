// The catalog of credential types that the nodes rely on matches the credential types n8n loads.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { INodeProperties } from 'n8n-workflow';
import { loadPackage, root } from './engine.ts';

const require = createRequire(import.meta.url);
// The compiled catalog, as the nodes use it.
const catalog = require(`${root}/dist/credentials/common/catalog.js`) as {
	CREDENTIAL_CATALOG: Array<{ type: string }>;
	SECRET_FIELDS: string[];
	SECRET_COLLECTIONS: string[];
	TOKEN_INPUTS: Record<string, string[]>;
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

test('token inputs name only fields the token credential has', async () => {
	const loader = await loadPackage();
	for (const [type, inputs] of Object.entries(catalog.TOKEN_INPUTS)) {
		const names = new Set(loader.credentialTypes[type].type.properties.map((property) => property.name));
		assert.deepEqual(inputs.filter((input) => !names.has(input)), [], type);
	}
});
