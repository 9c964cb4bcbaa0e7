/** The value at a dot path ("data.session.key") in parsed JSON, or undefined. */
export function readPath(body: unknown, path: string): unknown {
	let current: unknown = body;
	for (const part of path.split('.').filter(Boolean)) {
		if (current === null || typeof current !== 'object') return undefined;
		current = (current as Record<string, unknown>)[part];
	}
	return current;
}
