// The one place that decides whether secrets may go with a request (credentials/common/boundary.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
	allowedDomainsOf,
	boundaryOf,
	carriesSecrets,
	guardedAuthenticate,
	outsideReason,
	requestUrl,
} from '../../credentials/common/boundary.ts';

describe('boundaryOf', () => {
	test('the Base URL decides the origin when the credential has one', () => {
		assert.deepEqual(boundaryOf({ baseUrl: 'https://API.example.com:443/v1/' }, 'https://other.example/x'), {
			origin: 'https://api.example.com',
		});
	});

	test('without a Base URL, the URL first called decides', () => {
		assert.deepEqual(boundaryOf({}, 'http://127.1:8080/a?b=c'), { origin: 'http://127.0.0.1:8080' });
	});

	test('a URL that is not absolute http(s), and no Base URL, is an error', () => {
		assert.throws(() => boundaryOf({}, 'ftp://x/y'), /not an absolute http\(s\) URL/);
	});
});

describe('carriesSecrets', () => {
	const boundary = boundaryOf({ baseUrl: 'https://api.example.com' }, '');
	const cases: Array<[string, boolean]> = [
		['https://api.example.com/v1/orders', true],
		['https://API.EXAMPLE.COM/v1', true],
		['https://api.example.com:443/x', true],
		['https://user:pass@api.example.com/x', true],
		['http://api.example.com/x', false],
		['https://api.example.com:8443/x', false],
		['https://api.example.com./x', false],
		['https://api.example.com.evil.example/x', false],
		['https://evil.example/?https://api.example.com', false],
		['https://api.example.com@evil.example/x', false],
		['//api.example.com/x', false],
		['not a url', false],
	];
	for (const [url, expected] of cases) {
		test(`${url}: ${expected ? 'inside' : 'outside'}`, () => assert.equal(carriesSecrets(boundary, url), expected));
	}

	test('Allowed HTTP Request Domains narrow the origin', () => {
		const domains = allowedDomainsOf({ allowedHttpRequestDomains: 'domains', allowedDomains: 'other.example, *.example.org' });
		assert.deepEqual(domains, ['other.example', '*.example.org']);
		assert.equal(carriesSecrets(boundaryOf({}, 'https://api.example.com/', domains), 'https://api.example.com/x'), false);
		assert.equal(carriesSecrets(boundaryOf({}, 'https://a.example.org/', domains), 'https://a.example.org/x'), true);
		assert.equal(
			carriesSecrets(boundaryOf({}, 'https://example.org/', domains), 'https://example.org/x'),
			false,
			'a wildcard never matches the bare domain',
		);
		assert.equal(allowedDomainsOf({ allowedHttpRequestDomains: 'all', allowedDomains: 'x' }), undefined);
	});

	test('the reason names both origins', () => {
		assert.match(
			outsideReason(boundary, 'http://evil.example:81/p?q'),
			/http:\/\/evil\.example:81 is not the credential's origin https:\/\/api\.example\.com/,
		);
	});
});

describe('guardedAuthenticate', () => {
	const apply = guardedAuthenticate(async (_credentials, options) => ({ ...options, headers: { ...options.headers, 'X-Key': 'secret' } }));

	test("attaches inside the boundary and turns off n8n's redirect following", async () => {
		const options = await apply({ baseUrl: 'https://api.example.com' }, { url: 'https://api.example.com/me' });
		assert.equal(options.headers?.['X-Key'], 'secret');
		assert.equal(options.disableFollowRedirect, true);
		assert.equal((options as { followRedirect?: boolean }).followRedirect, false);
	});

	test("refuses a URL outside the Base URL's origin, without attaching anything", async () => {
		await assert.rejects(
			apply({ baseUrl: 'https://api.example.com' }, { url: 'https://evil.example/me' }),
			/The credential was not sent: https:\/\/evil\.example is not the credential's origin/,
		);
	});

	test("reads the legacy helper's uri and n8n's baseURL", () => {
		assert.equal(requestUrl({ url: '', uri: 'https://a.example/x' } as never), 'https://a.example/x');
		assert.equal(requestUrl({ url: '/me', baseURL: 'https://a.example/v1/' }), 'https://a.example/v1/me');
	});
});
