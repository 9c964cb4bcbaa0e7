// Pure pieces of reading answers: file names, pagination's progress check, messages, headers,
// URLs, Retry-After and token lifetimes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertHeader } from '../../credentials/common/headers.ts';
import { displayUrl, excerpt, redact } from '../../credentials/common/messages.ts';
import { lifetimeSeconds } from '../../credentials/common/tokenEndpoint.ts';
import { fingerprint, tokenDue, tokenState } from '../../credentials/common/tokens.ts';
import { resolveUrl } from '../../credentials/common/urls.ts';
import { nextPage, Progress, type Pagination } from '../../nodes/ConfiguredApiCall/pagination.ts';
import { fileName, type Body, type ResponseSettings } from '../../nodes/ConfiguredApiCall/response.ts';
import { retryAfterMs, withRetries } from '../../nodes/shared/retry.ts';

describe('Content-Disposition file names', () => {
	const name = (disposition: string) =>
		fileName({ url: 'https://x.example/files/report', headers: { 'content-disposition': disposition } });
	const cases: Array<[string, string]> = [
		['attachment; filename="report.pdf"', 'report.pdf'],
		['attachment; filename="50% off.pdf"', '50% off.pdf'],
		['attachment; filename=plain.txt', 'plain.txt'],
		['attachment; filename="a \\"quoted\\" name.txt"', 'a "quoted" name.txt'],
		["attachment; filename*=UTF-8''na%C3%AFve%20caf%C3%A9.txt", 'naïve café.txt'],
		["attachment; filename*=iso-8859-1'en'%E9t%E9.txt", 'été.txt'],
		['attachment; filename="fallback.txt"; filename*=koi8-r\'\'%F0%D2%C9%D7%C5%D4.txt', 'fallback.txt'],
		["attachment; filename*=UTF-8''bad%ZZ%.txt", 'bad%ZZ%.txt'],
		['attachment', 'report'],
	];
	for (const [disposition, expected] of cases) test(disposition, () => assert.equal(name(disposition), expected));
});

describe('pagination', () => {
	const settings = { itemsPath: 'items' } as ResponseSettings;
	const p = (overrides: Partial<Pagination>): Pagination => ({
		mode: 'page',
		nextUrlPath: 'next',
		parameter: 'page',
		start: 1,
		step: 1,
		cursorPath: 'cursor',
		stopWhen: 'empty',
		stopStatus: [],
		stopPath: '',
		stopValue: '',
		maxPages: 100,
		...overrides,
	});
	const json = (value: unknown): Body => ({ kind: 'json', value, raw: Buffer.from(JSON.stringify(value)) });

	test('a next URL resolves against the page; empty ends', () => {
		const next = nextPage(
			{ url: 'https://a.example/v1/items?page=1' },
			json({ items: [1], next: '/v1/items?page=2' }),
			settings,
			p({ mode: 'nextUrl' }),
			1,
		);
		assert.equal(next?.url, 'https://a.example/v1/items?page=2');
		assert.equal(nextPage({ url: 'https://a.example/' }, json({ items: [1], next: '' }), settings, p({ mode: 'nextUrl' }), 1), undefined);
	});

	test('page mode on an answer that is not an array is an error, not a run to the page limit', () => {
		assert.throws(
			() => nextPage({ url: 'https://a.example/' }, json({ data: {} }), settings, p({}), 1),
			/page 1 is not a JSON array at "items"/,
		);
	});

	test('a next URL or cursor seen before is an error', () => {
		const progress = new Progress();
		const page = { url: 'https://a.example/items', qs: { cursor: 'A' } };
		assert.throws(
			() => progress.check(2, page, { url: 'https://a.example/items', qs: { cursor: 'A' } }, json({ n: 1 }), p({ mode: 'cursor' })),
			/Pagination does not progress: page 2 gives a cursor \(at "cursor"\) that was already fetched/,
		);
	});

	test('a page identical to the one before is an error', () => {
		const progress = new Progress();
		progress.check(1, { url: 'https://a.example/?page=1' }, { url: 'https://a.example/?page=2' }, json({ items: [1] }), p({}));
		assert.throws(
			() => progress.check(2, { url: 'https://a.example/?page=2' }, { url: 'https://a.example/?page=3' }, json({ items: [1] }), p({})),
			/page 2 answered exactly what page 1 did/,
		);
	});
});

describe('messages never quote a secret', () => {
	test('redact blanks every encoding of a secret', () => {
		const secret = 'p@ss w/rd+ü';
		const text = [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), JSON.stringify(secret)].join(' | ');
		assert.doesNotMatch(redact(text, [secret]), /p@ss|p%40ss|cEBzcy/);
	});

	test('excerpt blanks quoted Authorization values and shortens', () => {
		assert.equal(excerpt({ error: 'Bearer abcdefgh12345678 refused' }, []), '{"error":"Bearer *** refused"}');
		assert.equal(excerpt('x'.repeat(300), [], 10), 'xxxxxxxxxx...');
	});

	test('displayUrl drops the query string and userinfo', () => {
		assert.equal(displayUrl('https://u:p@a.example/x?key=secret'), 'https://a.example/x');
	});
});

describe('headers and URLs', () => {
	test('a header value beyond Latin-1 is an error that names the header, not a silent cut', () => {
		assert.throws(
			() => assertHeader('X-Note', 'snow ☃', 'Headers'),
			/Headers: the value of header "X-Note" has a character HTTP headers cannot carry \(character 6/,
		);
		assert.doesNotThrow(() => assertHeader('X-Note', 'café', 'Headers'));
	});

	test('a path joins the Base URL; an absolute URL stays', () => {
		assert.equal(resolveUrl('https://a.example/v1/', '/orders', 'URL'), 'https://a.example/v1/orders');
		assert.equal(resolveUrl('https://a.example/v1', 'https://b.example/x', 'URL'), 'https://b.example/x');
		assert.throws(() => resolveUrl(undefined, '/orders', 'URL'), /no Base URL/);
	});
});

describe('retries and lifetimes', () => {
	test('Retry-After in seconds and as a date', () => {
		assert.equal(retryAfterMs({ 'retry-after': '12' }), 12_000);
		assert.equal(retryAfterMs({ 'retry-after': new Date(1_000_000 + 5000).toUTCString() }, 1_000_000), 5000);
	});

	test('a Retry-After beyond the budget is not waited for, and is reported', async () => {
		let tries = 0;
		const outcome = await withRetries({ maxTries: 3, maxWaitMs: 1000, baseDelayMs: 1 }, async () => {
			tries++;
			return { status: 429, headers: { 'retry-after': '120' } };
		});
		assert.equal(tries, 1);
		assert.equal(outcome.refusedWaitMs, 120_000);
	});

	test('Stop ends a retry wait at once', async () => {
		const cancel = new AbortController();
		setTimeout(() => cancel.abort(), 20);
		const started = Date.now();
		await assert.rejects(
			withRetries(
				{ maxTries: 3, maxWaitMs: 60_000, baseDelayMs: 1 },
				async () => ({ status: 429, headers: { 'retry-after': '30' } }),
				cancel.signal,
			),
			/stopped/,
		);
		assert.ok(Date.now() - started < 1000);
	});

	test('token lifetimes: seconds or an absolute time; refreshed a minute before, or at 80% of a short one', () => {
		assert.equal(lifetimeSeconds('3600', 'seconds'), 3600);
		assert.equal(lifetimeSeconds(new Date(10_000 + 60_000).toISOString(), 'absolute', 10_000), 60);
		assert.equal(lifetimeSeconds(0, 'seconds'), undefined);
		const state = tokenState('t', 10, 'f', '', 0);
		assert.deepEqual([state.tokenExpiresAt, state.tokenRefreshAt], [10_000, 8000]);
		const stored = { ...state } as unknown as Parameters<typeof tokenDue>[0];
		assert.equal(tokenDue(stored, 'f', 7999), false);
		assert.equal(tokenDue(stored, 'f', 8000), true);
		assert.equal(tokenDue(stored, 'other settings', 0), true);
		assert.notEqual(fingerprint({ a: '1' }, ['a']), fingerprint({ a: '2' }, ['a']));
	});
});
