// How requests travel (credentials/common/transport.ts): redirects hop by hop through the
// boundary, body size limits on real streams, deadlines and abortable waits.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync, createGunzip } from 'node:zlib';
import { describe, test } from 'node:test';
import type { IHttpRequestOptions } from 'n8n-workflow';
import {
	deadline,
	limitStream,
	readBody,
	ResponseTooLargeError,
	sendFollowing,
	waitUnlessAborted,
	type Answer,
} from '../../credentials/common/transport.ts';

const boundary = { origin: 'https://api.example.com' };

/** A server that answers by URL, and remembers what each hop carried. */
function server(routes: Record<string, { status: number; location?: string }>) {
	const hops: Array<{ url: string; method?: string; secrets: boolean; headers?: IHttpRequestOptions['headers']; body?: unknown }> = [];
	const send = async (options: IHttpRequestOptions, secrets: boolean): Promise<Answer> => {
		hops.push({ url: options.url, method: options.method, secrets, headers: options.headers, body: options.body });
		const route = routes[options.url] ?? { status: 200 };
		return {
			url: options.url,
			statusCode: route.status,
			headers: route.location ? { location: route.location } : {},
			body: Readable.from([Buffer.from('{}')]),
		};
	};
	return { hops, send };
}

describe('sendFollowing', () => {
	test("a chain leaving and re-entering the origin: secrets only on hops inside it, compared with the credential's origin", async () => {
		const { hops, send } = server({
			'https://api.example.com/a': { status: 302, location: 'https://evil.example/b' },
			'https://evil.example/b': { status: 307, location: '/c' },
			'https://evil.example/c': { status: 308, location: 'https://api.example.com/d' },
		});
		const answer = await sendFollowing(
			{ url: 'https://api.example.com/a', method: 'GET', headers: { Authorization: 'Bearer user-set', Accept: 'x' } },
			send,
			{ boundary, follow: true, crossOrigin: 'strip', what: 'GET' },
		);
		assert.equal(answer.url, 'https://api.example.com/d');
		assert.deepEqual(
			hops.map((h) => [h.url, h.secrets]),
			[
				['https://api.example.com/a', true],
				['https://evil.example/b', false],
				['https://evil.example/c', false],
				['https://api.example.com/d', true],
			],
		);
		assert.deepEqual(hops[1].headers, { Accept: 'x' }, 'no Authorization header goes to another origin');
	});

	test('https to http on the same host is another origin', async () => {
		const { hops, send } = server({ 'https://api.example.com/a': { status: 301, location: 'http://api.example.com/a' } });
		await sendFollowing({ url: 'https://api.example.com/a' }, send, { boundary, follow: true, crossOrigin: 'strip', what: 'GET' });
		assert.equal(hops[1].secrets, false);
	});

	test('policy "error": nothing goes to the other origin, and the message names both', async () => {
		const { hops, send } = server({ 'https://api.example.com/a': { status: 302, location: 'https://evil.example/b?token=x' } });
		await assert.rejects(
			sendFollowing({ url: 'https://api.example.com/a' }, send, {
				boundary,
				follow: true,
				crossOrigin: 'error',
				what: 'The token request',
			}),
			/The token request was redirected to https:\/\/evil\.example\/b, and https:\/\/evil\.example is not the credential's origin https:\/\/api\.example\.com\. Nothing was sent there\./,
		);
		assert.equal(hops.length, 1);
	});

	test('303 and a POST 302 become GET without a body; 307 and 308 keep method and body', async () => {
		for (const [status, method, body] of [
			[303, 'GET', undefined],
			[302, 'GET', undefined],
			[307, 'POST', 'b'],
			[308, 'POST', 'b'],
		] as const) {
			const { hops, send } = server({ 'https://api.example.com/a': { status, location: '/b' } });
			await sendFollowing(
				{ url: 'https://api.example.com/a', method: 'POST', body: 'b', headers: { 'Content-Type': 'text/plain' } },
				send,
				{ boundary, follow: true, crossOrigin: 'strip', what: 'POST' },
			);
			assert.deepEqual([hops[1].method, hops[1].body], [method, body], String(status));
		}
	});

	test('a loop ends after 10 redirects with an error naming the last hop', async () => {
		const { hops, send } = server({ 'https://api.example.com/a': { status: 302, location: '/a' } });
		await assert.rejects(
			sendFollowing({ url: 'https://api.example.com/a' }, send, {
				boundary,
				follow: true,
				crossOrigin: 'strip',
				what: 'GET https://api.example.com/a',
			}),
			/redirected more than 10 times .*redirects in a loop/,
		);
		assert.equal(hops.length, 11);
	});

	test('an unusable Location is named, not a bare "Invalid URL"', async () => {
		const { send } = server({ 'https://api.example.com/a': { status: 302, location: 'http://[bad/x' } });
		await assert.rejects(
			sendFollowing({ url: 'https://api.example.com/a' }, send, { boundary, follow: true, crossOrigin: 'strip', what: 'GET' }),
			/Location header that is not a usable http\(s\) URL/,
		);
	});

	test('not following: the 3xx is the answer', async () => {
		const { hops, send } = server({ 'https://api.example.com/a': { status: 302, location: '/b' } });
		const answer = await sendFollowing({ url: 'https://api.example.com/a' }, send, {
			boundary,
			follow: false,
			crossOrigin: 'strip',
			what: 'GET',
		});
		assert.equal(answer.statusCode, 302);
		assert.equal(hops.length, 1);
	});
});

describe('body limits', () => {
	test('readBody reads a stream up to the limit, and refuses one byte more', async () => {
		const chunks = () => Readable.from([Buffer.alloc(600), Buffer.alloc(400)]);
		assert.equal((await readBody(chunks(), 1000, 'GET x', 'hint')).length, 1000);
		await assert.rejects(
			readBody(chunks(), 999, 'GET x', 'Raise it.'),
			(error: Error) =>
				error instanceof ResponseTooLargeError &&
				/GET x sent more than 999 bytes \(counted after decompression\)\. Raise it\./.test(error.message),
		);
	});

	test('a gzip bomb is stopped at the limit after decompression, without inflating the rest', async () => {
		const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
		let inflated = 0;
		const gunzip = Readable.from([bomb])
			.pipe(createGunzip())
			.on('data', (chunk: Buffer) => (inflated += chunk.length));
		await assert.rejects(readBody(gunzip, 1024 * 1024, 'GET x', ''), ResponseTooLargeError);
		assert.ok(inflated < 8 * 1024 * 1024, `inflated ${inflated} bytes`);
	});

	test('limitStream passes a file through to a consumer, and fails it past the limit', async () => {
		const ok = limitStream(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]), 20, 'GET f', '');
		assert.equal(Buffer.concat(await (ok as Readable).toArray()).length, 20);
		const big = limitStream(Readable.from([Buffer.alloc(10), Buffer.alloc(11)]), 20, 'GET f', '');
		await assert.rejects((big as Readable).toArray(), /GET f sent more than 20 bytes/);
	});
});

describe('deadline and waits', () => {
	test('the deadline fires, and says it was the timeout and not Stop', async () => {
		const cancel = new AbortController();
		const { signal, expired } = deadline(20, cancel.signal);
		await new Promise((resolve) => signal.addEventListener('abort', resolve));
		assert.equal(expired(), true);
	});

	test('Stop is not a timeout', () => {
		const cancel = new AbortController();
		const { signal, expired } = deadline(60_000, cancel.signal);
		cancel.abort();
		assert.equal(signal.aborted, true);
		assert.equal(expired(), false);
	});

	test('a wait ends at once when Stop is pressed', async () => {
		const cancel = new AbortController();
		const started = Date.now();
		setTimeout(() => cancel.abort(), 20);
		await assert.rejects(
			waitUnlessAborted(10_000, cancel.signal, (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref())),
			/stopped/,
		);
		assert.ok(Date.now() - started < 1000);
	});
});

describe('a URL outside the boundary never carries a secret', () => {
	test('query parameters holding a secret are dropped from the hop; a secret elsewhere stops it', async () => {
		const { hops, send } = server({
			'https://api.example.com/a': { status: 302, location: 'https://evil.example/b?key=s3cr3t-key&page=2&sig=x%20s3cr3t-key' },
		});
		await sendFollowing({ url: 'https://api.example.com/a' }, send, {
			boundary,
			follow: true,
			crossOrigin: 'strip',
			what: 'GET',
			secrets: () => ['s3cr3t-key'],
		});
		assert.equal(hops[1].url, 'https://evil.example/b?page=2');
		const path = server({ 'https://api.example.com/a': { status: 302, location: 'https://evil.example/s3cr3t-key/b' } });
		await assert.rejects(
			sendFollowing({ url: 'https://api.example.com/a' }, path.send, {
				boundary,
				follow: true,
				crossOrigin: 'strip',
				what: 'GET',
				secrets: () => ['s3cr3t-key'],
			}),
			(error: Error) =>
				/the redirect to https:\/\/evil\.example\/\*\*\*\/b carries a secret of the credential/.test(error.message) &&
				!error.message.includes('s3cr3t'),
		);
		assert.equal(path.hops.length, 1);
	});
});

describe('reading ends with the deadline', () => {
	test('a pending read fails at once when the signal fires, and the body is destroyed', async () => {
		const body = new Readable({ read() {} });
		body.push(Buffer.from('first'));
		const cancel = new AbortController();
		setTimeout(() => cancel.abort(), 30);
		const started = Date.now();
		await assert.rejects(readBody(body, 1000, 'GET x', '', cancel.signal), /cut off/);
		assert.ok(Date.now() - started < 1000);
		assert.equal(body.destroyed, true);
	});
});
