// Name/value lists, as n8n stores a multiple-value fixedCollection: `{ values: [{ name, value }] }`
// in credentials (the node's own lists use `parameters` instead of `values`).

export interface NameValue {
	name: string;
	value: string;
}

/** The named entries of a list, names trimmed, values as text; entries without a name dropped. */
export function pairsOf(collection: unknown, key = 'values'): NameValue[] {
	const entries = ((collection as Record<string, unknown> | undefined)?.[key] ?? []) as Array<{ name?: unknown; value?: unknown }>;
	return entries
		.filter((entry) => typeof entry?.name === 'string' && entry.name.trim() !== '')
		.map((entry) => ({
			name: String(entry.name).trim(),
			value: entry.value === undefined || entry.value === null ? '' : String(entry.value),
		}));
}
