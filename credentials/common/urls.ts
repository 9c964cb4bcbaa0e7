import { UserError } from 'n8n-workflow';

/** An absolute URL as is; a path joined to the base URL. Throws a clear error otherwise. */
export function resolveUrl(baseUrl: string | undefined, url: string, field = 'URL'): string {
	const value = (url ?? '').trim();
	if (/^https?:\/\//i.test(value)) {
		assertValid(value, field);
		return value;
	}
	const base = (baseUrl ?? '').trim();
	if (!base) {
		throw new UserError(
			value
				? `${field} "${value}" is not an absolute http(s) URL, and the credential has no Base URL to resolve it against.`
				: `${field} is empty.`,
		);
	}
	assertValid(base, 'Base URL');
	const joined = value ? `${base.replace(/\/+$/, '')}/${value.replace(/^\/+/, '')}` : base;
	assertValid(joined, field);
	return joined;
}

function assertValid(url: string, field: string) {
	const parsed = URL.canParse(url) ? new URL(url) : undefined;
	if (!parsed) {
		throw new UserError(`${field} is not a valid URL. Check it for spaces or missing parts.`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
		throw new UserError(`${field} must start with http:// or https://.`);
	}
}
