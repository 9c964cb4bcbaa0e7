import { UserError } from 'n8n-workflow';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Refuses header names and values that would break or smuggle an HTTP header. */
export function assertHeader(name: string, value: string, where: string): void {
	if (!TOKEN.test(name)) {
		throw new UserError(`${where}: "${name.replace(/[\r\n]/g, '\\n')}" is not a valid HTTP header name (letters, digits and - only).`);
	}
	if (/[\r\n\0]/.test(value)) {
		throw new UserError(`${where}: the value of header "${name}" contains a line break. Remove it.`);
	}
	// HTTP sends header values as Latin-1; anything beyond it would be cut off silently.
	const beyond = value.search(/[^\u0000-\u00ff]/);
	if (beyond >= 0) {
		throw new UserError(
			`${where}: the value of header "${name}" has a character HTTP headers cannot carry (character ${beyond + 1}; only Latin-1 is possible). Encode the value, for example with {{ encodeURIComponent(...) }}, or send it in the body.`,
		);
	}
}
