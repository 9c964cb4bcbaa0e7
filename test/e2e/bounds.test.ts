// How Configured API Call's calls are bounded, in a real n8n (binary data on the filesystem):
// Stop pressed through n8n's REST API ends the node's work within a second (a Retry-After wait,
// pagination, many items; nothing reaches the API more than 1 s later); the Timeout is a
// deadline for the whole answer (a server that drips one byte every 500 ms, for the call and
// for the token request); Max Response Size counts after decompression (a gzip bomb) and a
// 1 GB file streams into the binary data store without n8n's memory growing with it.
//
// Every figure measured is printed ("[bounds] ...").
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { sendJson, startApiServer, type ApiServer, type RecordedRequest } from '../rig/index.ts';
import { ensureN8n, packPackage, startN8n, type ExecutionResult, type N8nInstance } from './n8n.ts';
import { callNode, chain, manualTrigger } from './workflows.ts';

const started = performance.now();
let n8n: N8nInstance;
let api: ApiServer;
let key: { id: string; name: string; type: string };

const MB = 1024 * 1024;
const GB = 1024 * MB;
const log = (text: string) => console.log(`[bounds] ${text}`);

// ---- what the API saw: every request (api.requests), and how each one ended ----

interface Ending {
	request: RecordedRequest;
	/** 'answered': the whole answer was sent; 'closed': n8n closed the connection first. */
	how: 'answered' | 'closed';
	at: number;
}
const endings: Ending[] = [];

/** Records how the answer to `r` ends; runs `cleanup` either way. */
function watch(res: ServerResponse, r: RecordedRequest, cleanup: () => void = () => undefined): void {
	res.on('close', () => {
		cleanup();
		endings.push({ request: r, how: res.writableFinished ? 'answered' : 'closed', at: Date.now() });
	});
}

const int = (value: unknown, fallback: number) => {
	const n = Number.parseInt(String(Array.isArray(value) ? value[0] : (value ?? '')), 10);
	return Number.isFinite(n) ? n : fallback;
};

/** JSON after `ms`, unless n8n gives up first. */
function later(res: ServerResponse, r: RecordedRequest, ms: number, body: unknown): void {
	const timer = setTimeout(() => sendJson(res, 200, body), ms);
	watch(res, r, () => clearTimeout(timer));
}

/** Headers at once, then one byte every 500 ms, forever (until n8n closes the connection). */
function drip(contentType: string) {
	return (_req: IncomingMessage, res: ServerResponse, _body: unknown, r: RecordedRequest) => {
		res.writeHead(200, { 'content-type': contentType });
		res.write(contentType.includes('json') ? '[' : 'x');
		const timer = setInterval(() => res.write(contentType.includes('json') ? ' ' : 'x'), 500);
		watch(res, r, () => clearInterval(timer));
	};
}

// A small gzip body that inflates to 512 MB of zeros, made once by gzip-streaming zeros.
const BOMB_INFLATED = 512 * MB;
let bomb: Buffer | undefined;
async function gzipBomb(): Promise<Buffer> {
	if (bomb) return bomb;
	const at = performance.now();
	const gzip = createGzip({ level: 9 });
	const chunks: Buffer[] = [];
	gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
	const done = new Promise((resolve, reject) => gzip.on('end', resolve).on('error', reject));
	const zeros = Buffer.alloc(MB);
	for (let i = 0; i < BOMB_INFLATED / MB; i++) {
		if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
	}
	gzip.end();
	await done;
	bomb = Buffer.concat(chunks);
	log(
		`gzip bomb: ${(bomb.length / 1024).toFixed(0)} KB inflating to ${BOMB_INFLATED / MB} MB, made in ${((performance.now() - at) / 1000).toFixed(1)} s`,
	);
	return bomb;
}

// The 1 GB file: one 1 MB block, 1024 times, so that the stored file can be checked block by block.
const BLOCK = Buffer.from(Array.from({ length: MB }, (_, i) => (i * 7 + (i >> 10)) % 256));
function gigabyte(_req: IncomingMessage, res: ServerResponse, _body: unknown, r: RecordedRequest): void {
	res.writeHead(200, {
		'content-type': 'application/octet-stream',
		'content-length': GB,
		'content-disposition': 'attachment; filename="gigabyte.bin"',
	});
	let sent = 0;
	const pump = () => {
		while (sent < GB / MB) {
			sent++;
			if (!res.write(BLOCK)) return void res.once('drain', pump);
		}
		res.end();
	};
	watch(res, r);
	pump();
}

const routes = {
	'GET /busy': (_req: IncomingMessage, res: ServerResponse, _body: unknown, r: RecordedRequest) => {
		watch(res, r);
		sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '12' });
	},
	'GET /slow': (_req: IncomingMessage, res: ServerResponse, _body: unknown, r: RecordedRequest) =>
		later(res, r, int(r.query.ms, 500), { ok: true, item: r.query.item }),
	'GET /pages': (_req: IncomingMessage, res: ServerResponse, _body: unknown, r: RecordedRequest) => {
		const page = int(r.query.page, 1);
		later(res, r, 2000, { items: [{ page }] });
	},
	'GET /drip': drip('application/json'),
	'GET /drip-file': drip('application/octet-stream'),
	'POST /token-drip': drip('application/json'),
	'GET /bomb': async (_req: IncomingMessage, res: ServerResponse, _body: unknown, r: RecordedRequest) => {
		const body = await gzipBomb();
		res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length });
		watch(res, r);
		res.end(body);
	},
	'GET /gigabyte': gigabyte,
};

before(
	async () => {
		api = await startApiServer({ routes });
		await Promise.all([ensureN8n(), gzipBomb()]);
		n8n = await startN8n({ tarball: packPackage(), env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' } });
		key = await n8n.createCredential({
			name: 'Bounds header key',
			type: 'apiConnectorHeaderKeyApi',
			data: { headerName: 'X-API-Key', prefixFormat: 'plain', apiKey: 'bounds-live-key', baseUrl: api.url, testUrl: '/slow?ms=0' },
		});
	},
	{ timeout: 20 * 60_000 },
);

after(async () => {
	await n8n?.stop();
	await api?.close();
	log(`file run time ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

// ---- helpers ----

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await sleep(10);
	}
}

const requestsTo = (path: string, since: number) => api.requests.filter((r) => r.path === path && r.at >= since);

/** Presses Stop the way the editor does; returns when it was pressed. */
async function pressStop(executionId: string): Promise<number> {
	const at = Date.now();
	await n8n.rest('POST', `/executions/${executionId}/stop`);
	return at;
}

/** n8n's resident memory in MB (VmRSS of its main process). */
function rssMb(): number {
	const status = readFileSync(`/proc/${n8n.pid}/status`, 'utf8');
	return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** n8n's peak resident memory since the last reset (VmHWM), in MB. */
function peakRssMb(): number {
	const status = readFileSync(`/proc/${n8n.pid}/status`, 'utf8');
	return Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/**
 * Runs `work` and measures how far n8n's RSS rises above what it was before: the kernel's peak
 * (VmHWM, reset first through /proc/<pid>/clear_refs) and samples every 25 ms as a fallback.
 */
async function measuringMemory<T>(work: () => Promise<T>): Promise<{ result: T; baselineMb: number; peakMb: number; growthMb: number }> {
	let reset = true;
	try {
		writeFileSync(`/proc/${n8n.pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
	} catch {
		reset = false; // not allowed here: the samples alone
	}
	const baselineMb = rssMb();
	let peakMb = baselineMb;
	const sampler = setInterval(() => (peakMb = Math.max(peakMb, rssMb())), 25);
	try {
		const result = await work();
		peakMb = Math.max(peakMb, rssMb(), reset ? peakRssMb() : 0);
		return { result, baselineMb, peakMb, growthMb: peakMb - baselineMb };
	} finally {
		clearInterval(sampler);
	}
}

/** The node's run as n8n recorded it: its error text and how long it ran. */
function nodeRun(result: ExecutionResult, name = 'Call') {
	const run = (result.raw?.data?.resultData?.runData?.[name] ?? []).at(-1) ?? {};
	const error = result.nodes[name]?.error;
	return { message: error ? `${error.message} ${error.description ?? ''}` : '', executionTime: Number(run.executionTime), run };
}

const CANCELLED = /^cancel+ed$|^stopped$/;

/**
 * Starts `workflow`, waits for `ready` (the API has been reached as the case needs), presses
 * Stop, and checks that nothing reaches the API more than 1 s after it, watching for `watchMs`.
 */
async function stopCase(
	label: string,
	workflow: ReturnType<typeof chain>,
	path: string,
	ready: (seen: RecordedRequest[]) => boolean,
	watchMs: number,
) {
	const since = Date.now();
	const id = await n8n.createWorkflow(workflow);
	const executionId = await n8n.startWorkflowManually(id);
	await until(`${label}: the API reached`, () => ready(requestsTo(path, since)));
	const stopAt = await pressStop(executionId);
	const result = await n8n.waitForExecution(executionId, 30_000);
	const endedMs = Date.now() - stopAt;
	await sleep(Math.max(0, stopAt + watchMs - Date.now()));
	const seen = requestsTo(path, since);
	const late = seen.filter((r) => r.at > stopAt + 1000);
	const afterStop = seen.filter((r) => r.at > stopAt);
	const last = Math.max(...seen.map((r) => r.at));
	// What was in flight at Stop: answered before Stop + 1 s, or closed by n8n.
	const inFlight = endings.filter((e) => seen.includes(e.request) && e.at > stopAt);
	const closed = inFlight.filter((e) => e.how === 'closed');
	const stillOpen = seen.filter((r) => !endings.some((e) => e.request === r));
	log(
		`${label}: ${seen.length} requests; last one ${seen.length ? seconds(last - stopAt) : '-'} after Stop (negative: before); ` +
			`${afterStop.length} after Stop, ${late.length} more than 1 s after; in flight at Stop: ${inFlight.length}, ` +
			`closed by n8n ${closed.map((e) => seconds(e.at - stopAt)).join(', ') || '-'} after Stop; execution ${result.status} ${seconds(endedMs)} after Stop`,
	);
	assert.equal(
		late.length,
		0,
		`${label}: ${late.length} request(s) reached the API more than 1 s after Stop: ${late.map((r) => `${r.url} at +${r.at - stopAt} ms`).join(', ')}`,
	);
	assert.match(
		result.status,
		CANCELLED,
		`${label}: the execution ended as ${result.status}: ${JSON.stringify(result.error ?? result.nodes)}`,
	);
	assert.deepEqual(stillOpen, [], `${label}: requests still open ${watchMs} ms after Stop`);
	for (const e of inFlight)
		assert.ok(e.at - stopAt < 1000, `${label}: a request in flight at Stop ended (${e.how}) only ${e.at - stopAt} ms after it`);
	return { seen, stopAt, closed, result };
}

// ---- Stop ----

describe('Stop (POST /rest/executions/:id/stop, as the editor does) ends the work within a second', () => {
	test('during a Retry-After wait (429, Retry-After: 12, Retry on): no retry is sent', async () => {
		const workflow = chain(
			'bounds stop retry',
			manualTrigger(),
			callNode({ url: `${api.url}/busy`, options: { retry: true, maxTries: 5, maxWait: 120 } }),
		);
		const { seen, stopAt } = await stopCase(
			'Stop in a Retry-After wait',
			workflow,
			'/busy',
			(s) => s.length >= 1 && Date.now() - s[0].at > 1000,
			0,
		);
		// Watch until well after the retry would have been sent (12 s after the 429).
		await sleep(Math.max(0, seen[0].at + 13_500 - Date.now()));
		const all = requestsTo('/busy', seen[0].at);
		log(
			`Stop in a Retry-After wait: ${all.length} request(s) in the ${seconds(Date.now() - seen[0].at)} after the 429 (Stop at +${seconds(stopAt - seen[0].at)})`,
		);
		assert.equal(all.length, 1, 'a retry was sent after Stop');
	});

	test('during pagination (pages of 2 s): the page in flight is aborted, no next page', async () => {
		const workflow = chain(
			'bounds stop pages',
			manualTrigger(),
			callNode({
				url: `${api.url}/pages`,
				response: { itemsPath: 'items' },
				pagination: { mode: 'page', parameter: 'page', start: 1, step: 1, maxPages: 50 },
			}),
		);
		// Stop 1 s into the second page.
		const { closed } = await stopCase(
			'Stop during pagination',
			workflow,
			'/pages',
			(s) => s.length >= 2 && Date.now() - s[1].at > 1000,
			4000,
		);
		assert.equal(closed.length, 1, 'the page in flight was not aborted');
	});

	for (const auth of ['none', 'header key'] as const) {
		test(`during 20 items at 0.5 s each (Authentication: ${auth === 'none' ? 'None' : 'a header-key credential'}): no new item`, async () => {
			// 20 items from the API, then one slow call per item.
			const list = callNode({ url: `${api.url}/api/items?total=20&pageSize=20`, response: { itemsPath: 'items' } }, undefined, 'Items');
			const parameters = {
				url: auth === 'none' ? `${api.url}/slow?ms=500&item={{ $json.id }}` : '/slow?ms=500&item={{ $json.id }}',
				environment: 'live',
			};
			const slow = callNode({ ...parameters, url: `=${parameters.url}` }, auth === 'none' ? undefined : key);
			const workflow = { ...chain(`bounds stop items ${auth}`, manualTrigger(), list, slow) };
			const { seen } = await stopCase(
				`Stop during 20 items (${auth})`,
				workflow,
				'/slow',
				(s) => s.length >= 4 && Date.now() - s.at(-1)!.at > 200,
				3000,
			);
			assert.ok(seen.length < 20, 'every item was called');
			if (auth === 'header key') assert.ok(seen.every((r) => r.headers['x-api-key'] === 'bounds-live-key'));
		});
	}
});

// ---- deadlines ----

describe('Timeout is a deadline for the whole answer: a server that drips one byte every 500 ms', () => {
	const TIMEOUT = /within 2 s/;

	for (const [label, path, format] of [
		['JSON', '/drip', 'autodetect'],
		['file (streamed into the binary data store)', '/drip-file', 'file'],
	] as const) {
		test(`${label}: Timeout 2 s fails within 3 s, naming the timeout`, async () => {
			const since = Date.now();
			const id = await n8n.createWorkflow(
				chain(
					`bounds drip ${path}`,
					manualTrigger(),
					callNode({ url: `${api.url}${path}`, response: { format }, options: { timeout: 2 } }),
				),
			);
			const result = await n8n.runWorkflowManually(id);
			const [request] = requestsTo(path, since);
			await until('the drip to end', () => endings.some((e) => e.request === request), 10_000);
			const ending = endings.find((e) => e.request === request)!;
			const { message, executionTime } = nodeRun(result);
			log(
				`drip ${label}: n8n closed the connection ${seconds(ending.at - request.at)} after the request; the node ran ${seconds(executionTime)}; "${message.trim()}"`,
			);
			assert.equal(result.status, 'error');
			assert.match(message, TIMEOUT);
			assert.match(message, /Timeout/);
			assert.equal(ending.how, 'closed');
			assert.ok(ending.at - request.at < 3000, `the connection stayed open ${ending.at - request.at} ms`);
			assert.ok(executionTime < 3000, `the node ran ${executionTime} ms`);
		});
	}

	test('a token endpoint that drips: Token Request Timeout 2 s fails the call, and the Test button, within 3 s', async () => {
		const grant = await n8n.createCredential({
			name: 'Bounds dripping token endpoint',
			type: 'apiConnectorPasswordGrantOAuth2Api',
			data: {
				tokenUrl: `${api.url}/token-drip`,
				username: 'grace',
				password: 'bounds-password',
				clientId: 'n8n-app',
				clientSecret: 'bounds-secret',
				tokenTimeout: 2,
				baseUrl: api.url,
				testUrl: '/slow?ms=0',
			},
		});
		let since = Date.now();
		const id = await n8n.createWorkflow(chain('bounds token drip', manualTrigger(), callNode({ url: '/slow?ms=0' }, grant)));
		const result = await n8n.runWorkflowManually(id);
		const [request] = requestsTo('/token-drip', since);
		assert.ok(request, 'no token request');
		await until('the token drip to end', () => endings.some((e) => e.request === request), 10_000);
		const ending = endings.find((e) => e.request === request)!;
		const { message, executionTime } = nodeRun(result);
		log(
			`token drip (node): n8n closed the connection ${seconds(ending.at - request.at)} after the token request; the node ran ${seconds(executionTime)}; "${message.trim()}"`,
		);
		assert.equal(result.status, 'error');
		assert.match(message, /within 2 s \(Token Request Timeout\)/);
		assert.ok(ending.at - request.at < 3000, `the token request stayed open ${ending.at - request.at} ms`);
		assert.ok(executionTime < 3000, `the node ran ${executionTime} ms`);
		assert.equal(requestsTo('/slow', since).length, 0, 'the call went out without a token');

		since = Date.now();
		const at = Date.now();
		// Bounded here: a Test button that never answers must fail this test, not hang it.
		const answer = n8n.testCredential({ id: grant.id });
		answer.catch(() => undefined);
		const button = await Promise.race([
			answer,
			sleep(15_000).then(() => ({ status: 'no answer', message: 'the Test button did not answer within 15 s' })),
		]);
		const buttonMs = Date.now() - at;
		const [buttonRequest] = requestsTo('/token-drip', since);
		await until('the Test button token drip to end', () => endings.some((e) => e.request === buttonRequest), 10_000).catch(() => undefined);
		const buttonEnding = endings.find((e) => e.request === buttonRequest);
		log(
			`token drip (Test button): answered ${button.status} after ${seconds(buttonMs)}; connection ${buttonEnding ? `closed ${seconds(buttonEnding.at - buttonRequest.at)} after the request` : 'still open'}; "${button.message}"`,
		);
		assert.equal(button.status, 'Error');
		assert.match(button.message, /within 2 s \(Token Request Timeout\)/);
		assert.ok(buttonMs < 3000, `the Test button took ${buttonMs} ms`);
		assert.ok(buttonEnding && buttonEnding.at - buttonRequest.at < 3000, 'the Test button left the token request open');
	});
});

// ---- sizes ----

describe('Max Response Size, counted after decompression; files stream to disk', () => {
	test('a gzip bomb (inflates to 512 MB) answered as JSON: a clear size error, bounded memory', async () => {
		const since = Date.now();
		const id = await n8n.createWorkflow(chain('bounds bomb', manualTrigger(), callNode({ url: `${api.url}/bomb` })));
		const { result, baselineMb, peakMb, growthMb } = await measuringMemory(async () => await n8n.runWorkflowManually(id));
		const [request] = requestsTo('/bomb', since);
		const { message, executionTime } = nodeRun(result);
		log(
			`gzip bomb: n8n RSS ${baselineMb.toFixed(0)} MB before, peak ${peakMb.toFixed(0)} MB: growth ${growthMb.toFixed(0)} MB; node ran ${seconds(executionTime)}; "${message.trim()}"`,
		);
		assert.ok(request, 'the bomb was not fetched');
		assert.equal(result.status, 'error');
		assert.match(message, /more than 100 MB \(counted after decompression\)/);
		assert.match(message, /Max Response Size/);
		assert.ok(growthMb < 200, `n8n's memory grew by ${growthMb.toFixed(0)} MB`);
	});

	test(
		'a 1 GB file with Max Response Size 2048: streamed to the binary data store, memory stays small',
		{ timeout: 10 * 60_000 },
		async () => {
			const since = Date.now();
			const id = await n8n.createWorkflow(
				chain(
					'bounds gigabyte',
					manualTrigger(),
					callNode({ url: `${api.url}/gigabyte`, response: { format: 'file' }, options: { maxResponseMb: 2048, timeout: 600 } }),
				),
			);
			const at = performance.now();
			const { result, baselineMb, peakMb, growthMb } = await measuringMemory(
				async () => await n8n.runWorkflowManually(id, { timeoutMs: 9 * 60_000 }),
			);
			const ms = performance.now() - at;
			assert.equal(result.status, 'success', JSON.stringify(result.error ?? result.nodes.Call?.error));
			const binary = result.raw.data.resultData.runData.Call[0].data.main[0][0].binary.data;
			log(
				`1 GB download: ${seconds(ms)} (${(GB / MB / (ms / 1000)).toFixed(0)} MB/s); n8n RSS ${baselineMb.toFixed(0)} MB before, peak ${peakMb.toFixed(0)} MB: growth ${growthMb.toFixed(0)} MB; ` +
					`binary ${JSON.stringify({ id: binary.id, bytes: binary.bytes, fileSize: binary.fileSize, fileName: binary.fileName, mimeType: binary.mimeType })}`,
			);
			assert.equal(requestsTo('/gigabyte', since).length, 1);
			assert.equal(Number(binary.bytes), GB, `the binary has ${binary.bytes} bytes`);
			assert.equal(binary.mimeType, 'application/octet-stream');
			assert.equal(binary.fileName, 'gigabyte.bin');
			assert.ok(growthMb < 300, `n8n's memory grew by ${growthMb.toFixed(0)} MB`);
			// The stored file is the download, block by block.
			assert.match(String(binary.id), /^filesystem/, `not in the filesystem store: ${binary.id}`);
			const file = storedFile(String(binary.id));
			assert.equal(statSync(file).size, GB);
			let blocks = 0;
			for await (const chunk of createReadStream(file, { highWaterMark: MB })) {
				assert.ok(BLOCK.equals(chunk as Buffer), `block ${blocks} of the stored file differs`);
				blocks++;
			}
			assert.equal(blocks, GB / MB);
		},
	);

	test('the same 1 GB file with the default Max Response Size (100 MB): the size error, and the download is cut', async () => {
		const since = Date.now();
		const id = await n8n.createWorkflow(
			chain('bounds gigabyte default', manualTrigger(), callNode({ url: `${api.url}/gigabyte`, response: { format: 'file' } })),
		);
		const { result, growthMb } = await measuringMemory(async () => await n8n.runWorkflowManually(id));
		const [request] = requestsTo('/gigabyte', since);
		await until('the download to end', () => endings.some((e) => e.request === request), 10_000);
		const ending = endings.find((e) => e.request === request)!;
		const { message, executionTime } = nodeRun(result);
		log(
			`1 GB download, default limit: node ran ${seconds(executionTime)}, RSS growth ${growthMb.toFixed(0)} MB, connection ${ending.how}; "${message.trim()}"`,
		);
		assert.equal(result.status, 'error');
		assert.match(message, /more than 100 MB \(counted after decompression\)/);
		assert.equal(ending.how, 'closed', 'the whole gigabyte was sent');
		const leftovers = binaryFiles().filter((f) => f.size >= 100 * MB && f.mtimeMs >= since);
		log(
			`1 GB download, default limit: ${leftovers.length} file(s) of 100 MB or more left in the binary data store: ${leftovers.map((f) => `${f.path} (${(f.size / MB).toFixed(0)} MB)`).join(', ') || 'none'}`,
		);
	});
});

// ---- n8n's binary data store ----

/** n8n 2.x stores under .n8n/storage (.n8n/binaryData when that folder already exists). */
const binaryRoot = () =>
	[join(n8n.userFolder, '.n8n', 'storage'), join(n8n.userFolder, '.n8n', 'binaryData')].find(existsSync) ??
	join(n8n.userFolder, '.n8n', 'storage');

/** The file of a filesystem binary id ("filesystem-v2:workflows/…"). */
function storedFile(id: string): string {
	const relative = id.slice(id.indexOf(':') + 1);
	const file = join(binaryRoot(), relative);
	if (existsSync(file)) return file;
	const found = binaryFiles().find((f) => f.path.endsWith(relative.split('/').pop()!));
	if (!found) throw new Error(`No file for ${id} under ${binaryRoot()}`);
	return found.path;
}

function binaryFiles(): { path: string; size: number; mtimeMs: number }[] {
	if (!existsSync(binaryRoot())) return [];
	const out: { path: string; size: number; mtimeMs: number }[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) walk(path);
			else {
				const stat = statSync(path);
				out.push({ path, size: stat.size, mtimeMs: stat.mtimeMs });
			}
		}
	};
	walk(binaryRoot());
	return out;
}
