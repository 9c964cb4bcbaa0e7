// The Digest rigs are strict, checked with an independent client: curl's own Digest
// implementation (--digest, MD5 and SHA-256) gets in with the right password only, against
// Apache's mod_auth_digest and against the rig's SHA-256 server; the rig server also refuses a
// replayed nonce count and an answer for another request target.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startApache, type Apache } from './apache.ts';
import { startDigestServer, type DigestServer } from './digestServer.ts';

const run = promisify(execFile);
const USER = 'ada';
const PASSWORD = 'c:o:l:\u00f6\u20ac n \u2713';

let apache: Apache;
let sha: DigestServer;
let sess: DigestServer;

before(async () => {
	apache = await startApache({ users: [{ username: USER, password: PASSWORD }] });
	sha = await startDigestServer({ username: USER, password: PASSWORD, algorithm: 'SHA-256' });
	sess = await startDigestServer({ username: USER, password: PASSWORD, algorithm: 'SHA-256-sess' });
});
after(async () => await Promise.all([apache?.close(), sha?.close(), sess?.close()]));

/** curl --digest: the status code it ends with. */
async function curl(url: string, password: string): Promise<number> {
	const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--digest', '-u', `${USER}:${password}`, url]);
	return Number(stdout);
}

describe('curl --digest, an independent client', () => {
	test('Apache (MD5): the right password (":" and UTF-8) gets in, a wrong one does not', async () => {
		assert.equal(await curl(`${apache.url}/digest/data.json?x=1`, PASSWORD), 200, apache.errorLog());
		assert.equal(await curl(`${apache.url}/digest/data.json`, 'c:o:l:o'), 401);
	});

	for (const [name, server] of [
		['SHA-256', () => sha],
		['SHA-256-sess', () => sess],
	] as const) {
		test(`the rig server (${name}): the right password gets in, a wrong one does not`, async () => {
			assert.equal(await curl(`${server().url}/digest/x?y=%C3%A9`, PASSWORD), 200, server().refusals.join('; '));
			assert.equal(await curl(`${server().url}/digest/x`, 'nope'), 401);
			assert.equal(server().refusals.at(-1), 'wrong response (password)');
		});
	}
});

test('the rig server refuses a replayed nonce count and an answer for another target', async () => {
	const first = await fetch(`${sha.url}/digest/a`);
	const { realm, nonce, opaque } = Object.fromEntries(
		[...(first.headers.get('www-authenticate') ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]),
	);
	// RFC 7616 3.4.1, written out here so that the rig is not checked with the code under test.
	const h = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
	const answer = (uri: string, n: number) => {
		const nc = n.toString(16).padStart(8, '0');
		const response = h(`${h(`${USER}:${realm}:${PASSWORD}`)}:${nonce}:${nc}:c1:auth:${h(`GET:${uri}`)}`);
		return `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=SHA-256, response="${response}", opaque="${opaque}", qop=auth, nc=${nc}, cnonce="c1"`;
	};
	const header = answer('/digest/a', 1);
	assert.equal((await fetch(`${sha.url}/digest/a`, { headers: { authorization: header } })).status, 200);
	assert.equal((await fetch(`${sha.url}/digest/a`, { headers: { authorization: header } })).status, 401);
	assert.equal(sha.refusals.at(-1), 'nonce count 00000001 does not rise');
	assert.equal((await fetch(`${sha.url}/digest/b`, { headers: { authorization: answer('/digest/a', 2) } })).status, 401);
	assert.match(String(sha.refusals.at(-1)), /is not the request target/);
	assert.equal((await fetch(`${sha.url}/digest/a`, { headers: { authorization: answer('/digest/a', 3) } })).status, 200);
});
