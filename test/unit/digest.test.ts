// HTTP Digest (credentials/common/digest.ts) against RFC 7616's own examples, and the reading
// of WWW-Authenticate headers as servers write them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { digestAuthorization, digestResponse, nextNonceCount, parseChallenges, pickChallenge } from '../../credentials/common/digest.ts';

// RFC 7616 section 3.9.1.
const rfc = {
	realm: 'http-auth@example.org',
	nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
	opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
	cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};
const rfcHeader =
	`Digest realm="${rfc.realm}", qop="auth, auth-int", algorithm=SHA-256, nonce="${rfc.nonce}", opaque="${rfc.opaque}", ` +
	`Digest realm="${rfc.realm}", qop="auth, auth-int", algorithm=MD5, nonce="${rfc.nonce}", opaque="${rfc.opaque}"`;
const request = { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', nc: 1, cnonce: rfc.cnonce };

describe('RFC 7616 3.9.1', () => {
	test('both challenges of the example are read, SHA-256 first as the server prefers', () => {
		const challenges = parseChallenges(rfcHeader);
		assert.equal(challenges.length, 2);
		assert.deepEqual(challenges[1].params, {
			realm: rfc.realm,
			qop: 'auth, auth-int',
			algorithm: 'MD5',
			nonce: rfc.nonce,
			opaque: rfc.opaque,
		});
		assert.deepEqual(pickChallenge(rfcHeader), {
			realm: rfc.realm,
			nonce: rfc.nonce,
			opaque: rfc.opaque,
			algorithm: 'SHA-256',
			qop: 'auth',
		});
	});

	test('SHA-256 response is the RFC one', () => {
		const challenge = pickChallenge(rfcHeader);
		assert.equal(digestResponse(challenge, request).response, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
		const header = digestAuthorization(challenge, request);
		assert.match(
			header,
			/^Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf\/xlj9XXwfDPEoM4URrv\/xwf94BcCAzFZH4GiTo0v", uri="\/dir\/index.html", algorithm=SHA-256, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe\/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", qop=auth, nc=00000001, cnonce="f2\/wE4q74E6zIJEtWaHKaf5wv\/H5QzzpXusqGemxURZJ"$/,
		);
	});

	test('MD5 response is the RFC one', () => {
		const challenge = pickChallenge(rfcHeader.slice(rfcHeader.indexOf('Digest', 10)));
		assert.equal(challenge.algorithm, 'MD5');
		assert.equal(digestResponse(challenge, request).response, '8ca523f5e9506fed4657c9700eebdbec');
	});

	test('RFC 2617 3.5 (MD5, qop auth) still holds', () => {
		const challenge = pickChallenge(
			'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
		);
		const { response } = digestResponse(challenge, {
			username: 'Mufasa',
			password: 'Circle Of Life',
			method: 'GET',
			uri: '/dir/index.html',
			nc: 1,
			cnonce: '0a4f113b',
		});
		assert.equal(response, '6629fae49393a05397450978507c4ef1');
	});

	test('RFC 7616 3.9.2 userhash: the username is sent hashed', () => {
		// The RFC's example uses SHA-512-256, which the package does not offer; the userhash rule is the same.
		const header = digestAuthorization(
			{ realm: 'api@example.org', nonce: 'n', algorithm: 'SHA-256', qop: 'auth', userhash: true },
			{ ...request, username: 'J\u00e4s\u00f8n Doe' },
		);
		const expected = createHash('sha256').update('J\u00e4s\u00f8n Doe:api@example.org', 'utf8').digest('hex');
		assert.match(header, new RegExp(`^Digest username="${expected}", userhash=true, `));
	});
});

describe('challenges as servers write them', () => {
	test("Apache's nonce holds '=' and '/' and is kept whole", () => {
		const header = 'Digest realm="md5 realm", nonce="Pq0BrUUpBgA=a2e4f6e0d5f0d2b7bb9c9fd5a4f0e4a9b5a8c6e3", algorithm=MD5, qop="auth"';
		assert.equal(pickChallenge(header).nonce, 'Pq0BrUUpBgA=a2e4f6e0d5f0d2b7bb9c9fd5a4f0e4a9b5a8c6e3');
	});

	test('Basic before Digest, several headers, escapes in quoted strings, unquoted values', () => {
		const challenge = pickChallenge([
			'Basic realm="x"',
			'Digest realm="a \\"b\\", c", nonce=abc123, algorithm=md5-sess, qop=auth, stale=true',
		]);
		assert.deepEqual(challenge, { realm: 'a "b", c', nonce: 'abc123', algorithm: 'MD5-sess', qop: 'auth' });
	});

	test('an RFC 2069 challenge without qop is answered without qop, nc and cnonce', () => {
		const challenge = pickChallenge('Digest realm="r", nonce="n"');
		assert.equal(challenge.qop, undefined);
		const header = digestAuthorization(challenge, { ...request, cnonce: 'c' });
		assert.doesNotMatch(header, /qop|nc=|cnonce/);
	});

	test('what cannot be answered says what the server asked for', () => {
		assert.throws(() => pickChallenge('Digest realm="r", nonce="n", qop="auth-int"'), /qop auth-int.*not "auth-int"/);
		assert.throws(() => pickChallenge('Digest realm="r", nonce="n", algorithm=SHA-512-256'), /algorithm SHA-512-256/);
		assert.throws(() => pickChallenge('Bearer realm="r"'), /asks for Bearer authentication, not Digest/);
		assert.throws(() => pickChallenge(undefined), /did not ask for Digest/);
	});

	test('a username beyond ASCII goes as username* (RFC 8187), the password in UTF-8', () => {
		const challenge = { realm: 'r', nonce: 'n', algorithm: 'MD5' as const, qop: 'auth' as const };
		const header = digestAuthorization(challenge, { ...request, username: 'J\u00fcrgen', password: 'p:\u00e4\u20ac' });
		assert.match(header, /^Digest username\*=UTF-8''J%C3%BCrgen, /);
		const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
		const ha1 = md5('J\u00fcrgen:r:p:\u00e4\u20ac');
		const ha2 = md5('GET:/dir/index.html');
		assert.match(header, new RegExp(`response="${md5(`${ha1}:n:00000001:${request.cnonce}:auth:${ha2}`)}"`));
	});

	test("a realm beyond ASCII is hashed as the server's bytes (Node reads header values as Latin-1)", () => {
		const sentAsUtf8 = Buffer.from('R\u00e9seau', 'utf8').toString('latin1');
		const challenge = pickChallenge(`Digest realm="${sentAsUtf8}", nonce="n", qop=auth`);
		const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
		const ha1 = md5('u:R\u00e9seau:p');
		const expected = md5(`${ha1}:n:00000001:c:auth:${md5('GET:/x')}`);
		assert.equal(
			digestResponse(challenge, { username: 'u', password: 'p', method: 'GET', uri: '/x', nc: 1, cnonce: 'c' }).response,
			expected,
		);
	});

	test('nonce counts go up per nonce', () => {
		assert.equal(nextNonceCount('unit-a'), 1);
		assert.equal(nextNonceCount('unit-a'), 2);
		assert.equal(nextNonceCount('unit-b'), 1);
		assert.equal(digestResponse({ realm: 'r', nonce: 'n', algorithm: 'MD5', qop: 'auth' }, { ...request, nc: 255 }).nc, '000000ff');
	});
});
