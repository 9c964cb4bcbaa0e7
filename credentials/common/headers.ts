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
}
