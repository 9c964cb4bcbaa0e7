import { UserError } from 'n8n-workflow';

// PEM text arrives pasted into a form: with Windows line endings, with literal "\n" from a
// JSON export, or flattened onto one line. Those are repaired; anything else is refused with
// a message that names the field.

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface PemBlock {
	label: string;
	text: string;
}

function rebuildBlock(field: string, label: string, body: string): string {
	const tokens = body.split(/\s+/).filter(Boolean);
	// Legacy encrypted PKCS#1 keys carry two header lines before the base64.
	const headers: string[] = [];
	while (tokens.length >= 2 && /^[A-Za-z-]+:$/.test(tokens[0])) {
		headers.push(`${tokens.shift()} ${tokens.shift()}`);
	}
	const base64 = tokens.join('');
	if (!base64 || !BASE64.test(base64)) {
		throw new UserError(`${field}: the ${label} block is not valid PEM (its body is not base64).`);
	}
	const lines = base64.match(/.{1,64}/g) ?? [];
	const head = headers.length ? `${headers.join('\n')}\n\n` : '';
	return `-----BEGIN ${label}-----\n${head}${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Every PEM block in the text, repaired. Throws when there is none. */
export function readPemBlocks(field: string, text: string, expected: string): PemBlock[] {
	const normalised = text.replace(/\\r\\n|\\n/g, '\n').replace(/\r\n?/g, '\n');
	const blocks: PemBlock[] = [];
	for (const match of normalised.matchAll(BLOCK)) {
		blocks.push({ label: match[1], text: rebuildBlock(field, match[1], match[2]) });
	}
	if (blocks.length === 0) {
		throw new UserError(
			`${field}: expected PEM text starting with "-----BEGIN ${expected}-----". Paste the whole file, including the BEGIN and END lines.`,
		);
	}
	return blocks;
}
