// Property tests of the AWS Signature V4 credential through n8n's real engine and request layer:
//
// 1. Where the signature goes. fast-check generates redirect chains of 1 to 5 hops (301, 302,
//    303, 307, 308; absolute, protocol-relative and path-relative Locations) between the
//    credential's own origin (the rig's SigV4 server, which verifies every request with
//    @smithy/signature-v4 before it answers, redirects included) and two foreign origins (another
//    port, another host), with GET or POST bodies, query parameters full of awkward characters,
//    and credentials with or without a session token and with signed or unsigned payloads. On
//    every run: no request to a foreign origin carries an AWS4-HMAC-SHA256 Authorization, an
//    X-Amz-Security-Token, the session token or the secret (in headers, URL or body, in any
//    encoding: test/rig/leaks.ts's forms), the secret reaches no server at all, every request to
//    the own origin verifies (also after coming back from a foreign one), and the chain was
//    walked to its end.
// 2. Generated paths and queries sent by Configured API Call always verify with the oracle and
//    arrive as they were meant (decoded path and query equal to what was asked).
import './quiet.ts';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { startSigV4Server, type SigV4Server } from '../rig/sigv4Server.ts';
import { callWorkflow, createEngine, type Engine } from './engine.ts';

const TYPE = 'apiConnectorAwsSigV4Api';
const KEY_ID = 'AKIDPROPERTYTEST0001';
const SECRET = 'prop/Secret+Key=é✓ with spaces~';
const TOKEN_KEY_ID = 'ASIAPROPERTYTEST0002';
const TOKEN = 'IQoJ+property/token=="é"';
const SEED = Number(process.env.FC_SEED ?? 20_261_130);
const SCALE = Math.max(0.1, Number(process.env.FC_RUNS ?? 1) || 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

interface Seen {
	origin: string;
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: Buffer;
}

interface Foreign {
	origin: string;
	seen: Seen[];
	redirects: Map<string, { status: number; location: string }>;
	close(): Promise<void>;
}

async function foreignServer(host: string): Promise<Foreign> {
	const seen: Seen[] = [];
	const redirects = new Map<string, { status: number; location: string }>();
	let origin = '';
	const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			seen.push({ origin, method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) });
			const path = (req.url ?? '/').split('?')[0];
			const redirect = [...redirects].find(([prefix]) => path.startsWith(prefix))?.[1];
			if (redirect) return res.writeHead(redirect.status, { location: redirect.location }).end();
			res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, foreign: origin }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	origin = `http://${host}:${(server.address() as AddressInfo).port}`;
	return {
		origin,
		seen,
		redirects,
		close: () =>
			new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

/** Every form a secret travels in (raw, URL- and form-encoded, JSON-escaped, base64). */
function forms(secret: string): string[] {
	return [
		secret,
		encodeURIComponent(secret),
		new URLSearchParams({ x: secret }).toString().slice(2),
		JSON.stringify(secret).slice(1, -1),
		Buffer.from(secret).toString('base64'),
	];
}

function leaks(request: Omit<Seen, 'origin'>, secrets: string[]): string[] {
	const text = [request.url, JSON.stringify(request.headers), request.body.toString('latin1'), request.body.toString('utf8')].join('\n');
	let decoded = text;
	try {
		decoded = decodeURIComponent(text);
	} catch {
		// keep the raw text
	}
	return secrets.filter((secret) => forms(secret).some((form) => text.includes(form) || decoded.includes(form)));
}

let aws: SigV4Server;
let b: Foreign;
let c: Foreign;
let engine: Engine;

before(async () => {
	aws = await startSigV4Server({
		[KEY_ID]: { secretAccessKey: SECRET },
		[TOKEN_KEY_ID]: { secretAccessKey: SECRET, sessionToken: TOKEN },
	});
	b = await foreignServer('127.0.0.1');
	c = await foreignServer('127.0.0.2');
	engine = await createEngine();
});
after(async () => await Promise.all([aws.close(), b.close(), c.close()]));

// A parameter value that starts with "=" is an expression in n8n: not generated.
const segmentArb = fc
	.string({
		unit: fc.constantFrom('a', 'Z', '0', ' ', '+', '*', '~', '%', '=', '&', 'é', '✓', '😀', '!', "'", '(', '-', '_', '.', ','),
		minLength: 1,
		maxLength: 8,
	})
	.filter((text) => !text.startsWith('='));
const valueArb = fc
	.string({ unit: fc.constantFrom('a', ' ', '+', '*', '~', '%', '/', '=', '&', '?', '#', 'é', '😀', ';'), maxLength: 8 })
	.filter((text) => !text.startsWith('='));

const hopArb = fc.record({
	to: fc.constantFrom('A', 'B', 'C'),
	status: fc.constantFrom(301, 302, 303, 307, 308),
	style: fc.constantFrom('absolute', 'protocol-relative', 'path'),
});

let counter = 0;

describe('where the signature goes', () => {
	test('redirect chains: nothing signed or secret reaches another origin; every request at home verifies', async () => {
		let foreignHops = 0;
		let homeReturns = 0;
		let bodiesResigned = 0;
		await fc.assert(
			fc.asyncProperty(
				fc.array(hopArb, { minLength: 1, maxLength: 5 }),
				fc.constantFrom('GET', 'POST'),
				fc.boolean(),
				fc.constantFrom('signed', 'unsigned'),
				fc.constantFrom('s3', 'execute-api'),
				segmentArb,
				valueArb,
				async (hops, method, withToken, payloadSigning, service, segment, value) => {
					const id = `r${++counter}`;
					const origins: Record<string, string> = { A: aws.url, B: b.origin, C: c.origin };
					const seenBefore = { b: b.seen.length, c: c.seen.length, a: aws.seen.length, refused: aws.refused.length };
					// Hop n is at origins[at[n]]; its redirect (if any) points to hop n + 1.
					const at = ['A', ...hops.map((hop) => hop.to)];
					const pathOf = (n: number) => `/p/${id}/${n}/${encodeURIComponent(segment)}`;
					for (let n = 0; n < hops.length; n++) {
						const target = origins[at[n + 1]];
						const style = hops[n].style === 'path' && at[n] !== at[n + 1] ? 'absolute' : hops[n].style;
						const location =
							style === 'absolute'
								? `${target}${pathOf(n + 1)}`
								: style === 'protocol-relative'
									? `${target.slice(5)}${pathOf(n + 1)}`
									: pathOf(n + 1);
						const map = at[n] === 'A' ? aws.redirects : at[n] === 'B' ? b.redirects : c.redirects;
						map.set(`/p/${id}/${n}/`, { status: hops[n].status, location });
					}
					const credential = {
						type: TYPE,
						...engine.credentials.add(TYPE, {
							accessKeyId: withToken ? TOKEN_KEY_ID : KEY_ID,
							secretAccessKey: SECRET,
							...(withToken ? { sessionToken: TOKEN } : {}),
							region: 'us-east-1',
							service,
							baseUrl: aws.url,
							payloadSigning,
						}),
					};
					const result = await engine.run(
						callWorkflow(
							{
								authentication: TYPE,
								method,
								url: pathOf(0),
								sendQuery: true,
								queryParameters: { parameters: [{ name: 'v', value }] },
								...(method === 'POST'
									? { sendBody: true, contentType: 'json', jsonInput: 'json', jsonBody: JSON.stringify({ v: value, secretFree: true }) }
									: {}),
								options: { followRedirects: true, crossOrigin: 'strip' },
							},
							{ credential },
						),
					);
					const error = result.error('Call') ?? result.error();
					const foreign = [...b.seen.slice(seenBefore.b), ...c.seen.slice(seenBefore.c)];
					const home = aws.seen.slice(seenBefore.a);
					for (const request of foreign) {
						assert.equal(request.headers.authorization, undefined, `Authorization reached ${request.origin}`);
						assert.equal(request.headers['x-amz-security-token'], undefined, `X-Amz-Security-Token reached ${request.origin}`);
						assert.doesNotMatch(JSON.stringify(request.headers), /AWS4-HMAC-SHA256/);
						assert.deepEqual(leaks(request, [SECRET, TOKEN]), [], `a secret reached ${request.origin} ${request.url}`);
					}
					for (const request of home) assert.deepEqual(leaks(request, [SECRET]), [], 'the secret itself is never sent');
					assert.deepEqual(aws.refused.slice(seenBefore.refused), [], 'every request at home verified');
					assert.equal(error, undefined, String(error?.message));
					// Walked to the end: one request per hop, the first one at home and signed.
					assert.equal(foreign.length + home.length, hops.length + 1);
					assert.ok(home.length >= 1 && String(home[0].headers.authorization).startsWith('AWS4-HMAC-SHA256 '));
					foreignHops += foreign.length;
					if (at.slice(1).includes('A') && foreign.length > 0) homeReturns++;
					if (method === 'POST' && home.length > 1 && home.slice(1).some((r) => r.method === 'POST')) bodiesResigned++;
				},
			),
			{ numRuns: runs(60), seed: SEED },
		);
		console.log(
			`redirect chains: ${foreignHops} requests to foreign origins, ${homeReturns} chains came back home, ${bodiesResigned} POST bodies re-signed after a redirect`,
		);
		assert.ok(foreignHops > 0 && homeReturns > 0, 'the property exercised foreign hops and returns home');
	});
});

describe('generated paths and queries verify', () => {
	test('Configured API Call: any path segments and query pairs arrive as asked, signatures verify', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom('s3', 'execute-api', 'es'),
				fc.array(
					segmentArb.filter((s) => s !== '.' && s !== '..'),
					{ minLength: 1, maxLength: 4 },
				),
				fc.array(fc.tuple(segmentArb, valueArb), { maxLength: 4 }),
				async (service, segments, pairs) => {
					const refusedBefore = aws.refused.length;
					const credential = {
						type: TYPE,
						...engine.credentials.add(TYPE, {
							accessKeyId: KEY_ID,
							secretAccessKey: SECRET,
							region: 'ap-south-1',
							service,
							baseUrl: aws.url,
						}),
					};
					const unique = [...new Map(pairs).entries()];
					const result = await engine.run(
						callWorkflow(
							{
								authentication: TYPE,
								method: 'GET',
								url: `/${segments.map(encodeURIComponent).join('/')}`,
								sendQuery: unique.length > 0,
								queryParameters: { parameters: unique.map(([name, value]) => ({ name, value })) },
							},
							{ credential },
						),
					);
					const error = result.error('Call') ?? result.error();
					assert.deepEqual(aws.refused.slice(refusedBefore), []);
					assert.equal(error, undefined, String(error?.message));
					const output = result.output('Call')[0];
					assert.equal(output.path, `/${segments.join('/')}`);
					// A JavaScript object (the node's query) lists integer-like names first: compare as sets.
					const sorted = (list: unknown) => [...(list as Array<[string, string]>)].map((pair) => pair.join('\u0000')).sort();
					assert.deepEqual(sorted(output.query), sorted(unique));
				},
			),
			{ numRuns: runs(80), seed: SEED },
		);
	});
});
