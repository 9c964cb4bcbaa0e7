import { UserError } from 'n8n-workflow';

import { pairsOf } from './pairs';

// "<name>" placeholders in a custom token request, filled from the credential's private values.

const PLACEHOLDER = /<([A-Za-z_][A-Za-z0-9_.-]*)>/g;

export function privateValues(collection: unknown): Map<string, string> {
	return new Map(pairsOf(collection).map(({ name, value }) => [name, value]));
}

/** Replaces every placeholder; an unknown one is an error that names it (never its value). */
export function fillPlaceholders(
	template: string,
	values: Map<string, string>,
	where: string,
	encode: (value: string) => string = (value) => value,
): string {
	const missing = new Set<string>();
	const filled = template.replace(PLACEHOLDER, (match, name: string) => {
		const value = values.get(name);
		if (value === undefined) {
			missing.add(name);
			return match;
		}
		return encode(value);
	});
	if (missing.size) {
		const names = [...missing].map((name) => `<${name}>`).join(', ');
		throw new UserError(`${where} uses ${names}, but no private value has that name. Add it under Private Values, or fix the spelling.`);
	}
	return filled;
}

/** Inside a JSON string literal a value must be escaped; outside one (a number) it stays as is. */
export const jsonEscape = (value: string) => JSON.stringify(value).slice(1, -1);
