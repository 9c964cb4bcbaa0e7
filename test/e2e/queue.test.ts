// Queue mode as self-hosted operators run it: one n8n main (webhooks, REST API) and two workers
// (`n8n worker`), PostgreSQL and Redis, the package installed by hand in every process's own
// ~/.n8n/nodes as the README says. A webhook workflow calls an API through a password-grant
// credential whose token lives 20 s, from a server that rotates refresh tokens:
//   1. 200 executions in 10 waves of 20: none lost, none failed, at most one token request per
//      worker per refresh interval (counted at the token endpoint, per process: in all, and as
//      the time between two requests of one worker).
//   2. One worker killed with SIGKILL while a wave runs, then restarted, then another wave: the
//      stored credential still decrypts and works, its token is reused, and the executions that
//      were running on the killed worker end crashed/error, never run again (n8n runs Bull with
//      maxStalledCount 0), and their webhook calls are answered with an error once Bull sees
//      their jobs stalled (60-90 s after the kill).
// Needs PostgreSQL and Redis (Debian: apt-get install postgresql redis-server; .ci/run does).
// Takes 3-4 minutes (6 on a busy machine), most of it n8n starting and waiting for the stalled
// jobs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, startOAuth2Server, type ApiServer, type OAuth2Server } from '../rig/index.ts';
import {
	ensureN8n,
	isN8nInstalled,
	packPackage,
	startN8n,
	type Credential,
	type N8nInstance,
	type N8nWorker,
	type WebhookResponse,
} from './n8n.ts';
import { startPostgres, startRedis, type Postgres, type Redis } from './services.ts';
import { Stopwatch } from './stopwatch.ts';
import { callNode, chain, webhookTrigger } from './workflows.ts';

/** Token lifetime at the OAuth2 server (s). */
const LIFETIME_S = 20;
/** The README: a token is refreshed a minute before it expires, at 80% of a short lifetime. */
const REFRESH_S = LIFETIME_S - Math.min(60, LIFETIME_S * 0.2);
/** Slack for the spacing of one worker's token requests (s): see the first test. */
const SPACING_SLACK_S = 4;
const WAVES = 10;
const WAVE_SIZE = 20;
/** Waves start at most this often, so that the 200 executions span several refresh intervals. */
const WAVE_EVERY_MS = 5_000;
/** How long the API takes per call (ms). */
const API_MS = 500;
/** In the kill wave the calls take longer, so that the killed worker is surely running some. */
const KILL_API_MS = 4_000;
// n8n's Bull settings (defaults of QUEUE_WORKER_LOCK_DURATION, QUEUE_WORKER_STALLED_INTERVAL) and
// the grace window in which n8n rechecks a stalled job's execution before failing it (n8n 2.41).
const LOCK_MS = 60_000;
const STALLED_INTERVAL_MS = 30_000;
const STALLED_GRACE_MS = 30_000;

const watch = new Stopwatch('queue.test.ts', true);
const root = mkdtempSync(join(tmpdir(), 'n8n-e2e-queue-'));
process.on('exit', () => rmSync(root, { recursive: true, force: true }));

let postgres: Postgres;
let redis: Redis;
let api: ApiServer;
let auth: OAuth2Server;
let tokens: AttributingProxy;
let main: N8nInstance;
const workers: { label: string; folder: string; port: number; process: N8nWorker }[] = [];
let tarball: string;
let env: Record<string, string>;
let credential: Credential;
let unauthorized = 0;

/** Every execution of a workflow by status, read from PostgreSQL. */
async function statuses(workflowId: string): Promise<Record<string, number>> {
	const rows = await postgres.sql(
		`select status, count(*) from execution_entity where "workflowId" = '${workflowId}' group by status order by status`,
	);
	return Object.fromEntries(
		rows
			.split('\n')
			.filter(Boolean)
			.map((row) => [row.split('|')[0], Number(row.split('|')[1])]),
	);
}

/** Execution ids a worker's log (from `offset` on) says it started and finished (info lines). */
function workerExecutions(logFile: string, offset = 0) {
	const log = readFileSync(logFile, 'utf8').slice(offset);
	const ids = (pattern: RegExp) => new Set([...log.matchAll(pattern)].map((match) => match[1]));
	return { started: ids(/Worker started execution (\d+) \(job/g), finished: ids(/Worker finished execution (\d+) \(job/g) };
}

async function createWebhookWorkflow(name: string, path: string): Promise<string> {
	const call = callNode({ url: '=/api/work?n={{ $json.body.n }}&ms={{ $json.body.ms }}' }, credential);
	const id = await main.createWorkflow(chain(name, webhookTrigger(path), call));
	await main.activateWorkflow(id);
	return id;
}

interface Answer extends WebhookResponse {
	n: string;
	ms: number;
}

/** Fires `size` webhook calls at once; each answer with its latency. */
function fire(path: string, label: string, size: number, apiMs: number): Promise<Answer>[] {
	return Array.from({ length: size }, async (_, i) => {
		const n = `${label}-${i}`;
		const started = performance.now();
		const answer = await main.callWebhook(path, { body: { n, ms: apiMs } });
		return { ...answer, n, ms: performance.now() - started };
	});
}

const okAnswer = (answer: Answer) => answer.status === 200 && JSON.stringify(answer.body).includes(`"${answer.n}"`);

/** Per process, the shortest time between two of its token requests (s). */
function minimumGaps(log: { label: string; at: number }[]): Record<string, number> {
	const gaps: Record<string, number> = {};
	const last: Record<string, number> = {};
	for (const { label, at } of log) {
		if (last[label] !== undefined) gaps[label] = Math.min(gaps[label] ?? Infinity, (at - last[label]) / 1000);
		last[label] = at;
	}
	return gaps;
}

function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

// ---- token requests per process ----

interface AttributingProxy {
	url: string;
	/** One entry per connection: which n8n process opened it, and when. */
	log: { label: string; at: number }[];
	/** Token requests per process label in [from, to). */
	count(from: number, to?: number): Record<string, number>;
	close(): Promise<void>;
}

/** The inode of the socket 127.0.0.1:localPort → 127.0.0.1:remotePort, from /proc/net/tcp. */
function socketInode(localPort: number, remotePort: number): string | undefined {
	const port = (address: string) => Number.parseInt(address.split(':')[1], 16);
	for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
		const fields = line.trim().split(/\s+/);
		if (fields.length > 9 && port(fields[1]) === localPort && port(fields[2]) === remotePort) return fields[9];
	}
	return undefined;
}

function ownsSocket(pid: number, inode: string): boolean {
	try {
		const fds = readdirSync(`/proc/${pid}/fd`);
		return fds.some((fd) => {
			try {
				return readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
			} catch {
				return false;
			}
		});
	} catch {
		return false;
	}
}

/**
 * A TCP front for the token endpoint that tells which n8n process each connection comes from
 * (Linux: the client socket's inode in /proc/net/tcp, found among the processes' open files).
 * n8n opens a new connection per request (no keep-alive), so connections are requests; the test
 * checks that against the OAuth2 server's own count.
 */
async function startAttributingProxy(target: number, processes: () => { label: string; pid: number }[]): Promise<AttributingProxy> {
	const log: AttributingProxy['log'] = [];
	const sockets = new Set<Socket>();
	const server = createServer((socket) => {
		const inode = socket.remotePort ? socketInode(socket.remotePort, port) : undefined;
		const owner = inode ? processes().find(({ pid }) => ownsSocket(pid, inode)) : undefined;
		log.push({ label: owner?.label ?? `unknown (inode ${inode ?? '?'})`, at: Date.now() });
		const upstream = connect(target, '127.0.0.1');
		for (const s of [socket, upstream]) {
			sockets.add(s);
			s.on('close', () => sockets.delete(s));
			s.on('error', () => {
				socket.destroy();
				upstream.destroy();
			});
		}
		socket.pipe(upstream).pipe(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	return {
		url: `http://127.0.0.1:${port}`,
		log,
		count(from, to = Infinity) {
			const counts: Record<string, number> = {};
			for (const { label, at } of log) if (at >= from && at < to) counts[label] = (counts[label] ?? 0) + 1;
			return counts;
		},
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

const processes = () => [
	...(main ? [{ label: 'main', pid: main.pid }] : []),
	...workers.map(({ label, process }) => ({ label, pid: process.pid })),
];

async function startWorker(folder: string, port?: number): Promise<N8nWorker> {
	return await startN8n({ command: 'worker', tarball, folder, port, env });
}

before(
	async () => {
		[postgres, redis] = await watch.time('PostgreSQL and Redis', () => Promise.all([startPostgres(), startRedis()]));
		auth = await startOAuth2Server({
			clients: [{ id: 'queue', secret: 'queue-secret' }],
			users: [{ username: 'queue', password: 'queue-pass' }],
			lifetime: LIFETIME_S,
		});
		tokens = await startAttributingProxy(auth.port, processes);
		api = await startApiServer({
			authorize: (request) => {
				const bearer = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1] ?? '';
				if (auth.validate(bearer).active) return true;
				unauthorized++;
				return false;
			},
			routes: {
				'GET /api/work': (req, res) => {
					const query = new URL(req.url ?? '', 'http://x').searchParams;
					const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
					setTimeout(
						() => {
							res
								.writeHead(200, { 'content-type': 'application/json' })
								.end(JSON.stringify({ n: query.get('n'), sub: auth.validate(bearer).sub }));
						},
						Number(query.get('ms')) || 0,
					);
				},
			},
		});
		const cached = isN8nInstalled();
		await watch.time(`install n8n (${cached ? 'cached' : 'cold'})`, () => ensureN8n());
		tarball = await watch.time('npm pack', () => packPackage());
		// What queue mode needs beyond a single n8n: the same key, database and Redis for every
		// process. startN8n adds per process N8N_RUNNERS_BROKER_PORT and, for a worker,
		// QUEUE_HEALTH_CHECK_ACTIVE/PORT.
		env = {
			...postgres.env,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_LOG_LEVEL: 'info', // "Worker started/finished execution N" are info lines
		};
		main = await watch.time('start main (install package, migrate, owner)', () => startN8n({ tarball, env }));
		const started = await watch.time('start 2 workers (install package each, boot)', () =>
			Promise.all(
				[1, 2].map(async (n) => {
					const folder = join(root, `worker-${n}`);
					mkdirSync(folder, { recursive: true });
					return { label: `worker-${n}`, folder, process: await startWorker(folder) };
				}),
			),
		);
		for (const worker of started) workers.push({ ...worker, port: Number(new URL(worker.process.healthUrl).port) });
		credential = await main.createCredential({
			name: 'Queue password grant',
			type: 'apiConnectorPasswordGrantOAuth2Api',
			data: {
				tokenUrl: `${tokens.url}/token`,
				username: 'queue',
				password: 'queue-pass',
				clientId: 'queue',
				clientSecret: 'queue-secret',
				baseUrl: api.url,
				testUrl: '/api/me',
			},
		});
	},
	{ timeout: 25 * 60_000 },
);

after(async () => {
	await Promise.all([main?.stop(), ...workers.map(({ process }) => process.stop())]);
	await Promise.all([postgres?.stop(), redis?.stop(), api?.close(), auth?.close(), tokens?.close()]);
	rmSync(root, { recursive: true, force: true });
	watch.print();
});

test(
	`${WAVES * WAVE_SIZE} webhook executions in ${WAVES} waves of ${WAVE_SIZE} on two workers: none lost, none failed, one token per worker per refresh`,
	{ timeout: 10 * 60_000 },
	async () => {
		const workflowId = await watch.time('create and publish the load workflow', () => createWebhookWorkflow('Queue load', 'queue-load'));
		const tokensBefore = auth.counts.total;
		const started = Date.now();
		const answers: Answer[] = [];
		const waveMs: number[] = [];
		for (let wave = 0; wave < WAVES; wave++) {
			await sleep(Math.max(0, started + wave * WAVE_EVERY_MS - Date.now()));
			const waveStart = performance.now();
			answers.push(...(await Promise.all(fire('queue-load', `load${wave}`, WAVE_SIZE, API_MS))));
			waveMs.push(performance.now() - waveStart);
		}
		const ended = Date.now();
		const seconds = (ended - started) / 1000;

		const failed = answers.filter((answer) => !okAnswer(answer));
		const stored = await statuses(workflowId);
		const perWorker = tokens.count(started, ended + 1);
		const bound = Math.floor(seconds / REFRESH_S) + 1;
		const gaps = minimumGaps(tokens.log.filter((e) => e.at >= started && e.at <= ended));
		const executed = Object.fromEntries(workers.map(({ label, process }) => [label, workerExecutions(process.logFile).finished.size]));
		console.log(
			`[queue] ${answers.length} webhook executions in ${seconds.toFixed(1)} s (${WAVES} waves of ${WAVE_SIZE}, one every ${WAVE_EVERY_MS / 1000} s, API ${API_MS} ms per call): ` +
				`${answers.length - failed.length} answered 200 with their result, ${failed.length} did not; stored ${JSON.stringify(stored)}; ` +
				`run by ${JSON.stringify(executed)}; wave duration median ${(percentile(waveMs, 50) / 1000).toFixed(2)} s, max ${(Math.max(...waveMs) / 1000).toFixed(2)} s; ` +
				`webhook latency p50 ${percentile(
					answers.map((a) => a.ms),
					50,
				).toFixed(0)} ms, p95 ${percentile(
					answers.map((a) => a.ms),
					95,
				).toFixed(0)} ms`,
		);
		console.log(
			`[queue] token requests: ${JSON.stringify(perWorker)} (${auth.counts.total - tokensBefore} at the OAuth2 server; grants ${JSON.stringify(auth.log.filter((e) => e.at >= started).map((e) => `${e.grant_type}:${e.status}`))}); ` +
				`lifetime ${LIFETIME_S} s, refresh every ${REFRESH_S} s: at most ${bound} per worker in ${seconds.toFixed(1)} s; ` +
				`shortest time between two requests of one worker: ${JSON.stringify(Object.fromEntries(Object.entries(gaps).map(([label, gap]) => [label, `${gap.toFixed(1)} s`])))}; API 401s: ${unauthorized}`,
		);

		const at = (ms: number) => `${((ms - started) / 1000).toFixed(1)} s`;
		console.log(
			`[queue] token requests by process: ${tokens.log
				.filter((e) => e.at >= started && e.at <= ended)
				.map((e) => `${at(e.at)} ${e.label}`)
				.join(', ')}`,
		);
		console.log(
			`[queue] token answers: ${auth.log
				.filter((e) => e.at >= started && e.at <= ended + 1000)
				.map((e) => `${at(e.at)} ${e.grant_type} ${e.status}${e.error ? ` ${e.error}` : ''}`)
				.join(', ')}`,
		);
		assert.deepEqual(
			failed.map((a) => `${a.n}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`),
			[],
		);
		assert.deepEqual(stored, { success: WAVES * WAVE_SIZE }, 'every execution stored once, as success');
		assert.equal(
			Object.values(perWorker).reduce((a, b) => a + b, 0),
			auth.counts.total - tokensBefore,
			'one token request per connection',
		);
		for (const [label, count] of Object.entries(perWorker)) {
			assert.match(label, /^worker-\d$/, `token requests came from ${label}`);
			assert.ok(
				count <= bound,
				`${label}: ${count} token requests in ${seconds.toFixed(1)} s, at most ${bound} expected (one per ${REFRESH_S} s)`,
			);
		}
		// Per worker, one token request per refresh interval: consecutive requests of one worker are a
		// refresh interval apart, less the time by which the token it took over (stored by another
		// worker) was older than its own last request (SPACING_SLACK_S).
		for (const [label, gap] of Object.entries(gaps)) {
			assert.ok(
				gap >= REFRESH_S - SPACING_SLACK_S,
				`${label}: two token requests ${gap.toFixed(1)} s apart, at least ${REFRESH_S - SPACING_SLACK_S} s expected`,
			);
		}
		assert.ok(seconds > REFRESH_S, `the run (${seconds.toFixed(1)} s) spans a refresh (${REFRESH_S} s)`);
		assert.ok(auth.log.filter((e) => e.at >= started && e.ok).length >= 2, 'the token was refreshed during the run');
		for (const { label } of workers) assert.ok(executed[label] > 0, `${label} ran executions`);
	},
);

test(
	'a worker killed with SIGKILL mid-wave and restarted: the credential still works, its token is reused; the killed executions fail, not retried',
	{ timeout: 10 * 60_000 },
	async () => {
		const killWorkflow = await createWebhookWorkflow('Queue kill', 'queue-kill');
		const afterWorkflow = await createWebhookWorkflow('Queue after restart', 'queue-after');
		const victim = workers[0];

		// A wave whose calls take 4 s; kill worker-1 once both workers run some of it.
		const inFlight = fire('queue-kill', 'kill', WAVE_SIZE, KILL_API_MS);
		const until = Date.now() + 30_000;
		const calls = () => api.requests.filter((r) => r.path === '/api/work' && String(r.query.n).startsWith('kill-')).length;
		while (calls() < WAVE_SIZE && Date.now() < until) await sleep(50);
		const killedAt = Date.now();
		await victim.process.kill('SIGKILL');
		// Its log is complete: n8n writes it synchronously, and a restart appends to the same file.
		const offsets = new Map(workers.map(({ process }) => [process.logFile, readFileSync(process.logFile, 'utf8').length]));
		const before = workerExecutions(victim.process.logFile);
		const runningOnVictim = [...before.started].filter((id) => !before.finished.has(id));
		console.log(
			`[queue] ${calls()} of ${WAVE_SIZE} calls of the kill wave had reached the API; SIGKILL to ${victim.label} (pid ${victim.process.pid}) running executions ${runningOnVictim.join(', ') || 'none'}`,
		);
		assert.ok(runningOnVictim.length > 0, `${victim.label} was running executions of the wave when it was killed`);
		const answered = inFlight.map((promise) =>
			promise.then(
				(answer) => ({ ...answer, at: Date.now() - killedAt }),
				(error: Error) => ({
					status: 0,
					headers: new Headers(),
					body: `no answer: ${error.message}`,
					n: '',
					ms: 0,
					at: Date.now() - killedAt,
				}),
			),
		);

		// The worker comes back on the same machine: same user folder, same health-check port.
		const restartStart = performance.now();
		victim.process = await watch.time('restart the killed worker', () => startWorker(victim.folder, victim.port));
		victim.label = `${victim.label} (restarted)`;
		const restartMs = performance.now() - restartStart;

		// Another wave on the restarted worker and the survivor: the stored credential works.
		const tokensBefore = auth.counts.total;
		const waveStart = Date.now();
		const afterAnswers = await Promise.all(fire('queue-after', 'after', WAVE_SIZE, API_MS));
		const waveEnd = Date.now();
		const afterTokens = tokens.count(waveStart, waveEnd + 1);
		const afterStored = await statuses(afterWorkflow);
		const afterExecuted = workerExecutions(victim.process.logFile, offsets.get(victim.process.logFile));
		console.log(
			`[queue] after the restart (${(restartMs / 1000).toFixed(1)} s): ${afterAnswers.filter(okAnswer).length}/${WAVE_SIZE} answered 200 in ${((waveEnd - waveStart) / 1000).toFixed(1)} s, stored ${JSON.stringify(afterStored)}, ` +
				`${afterExecuted.finished.size} run by the restarted worker; token requests ${JSON.stringify(afterTokens)} (${auth.counts.total - tokensBefore} at the server); API 401s so far: ${unauthorized}`,
		);
		assert.deepEqual(
			afterAnswers.filter((a) => !okAnswer(a)).map((a) => `${a.n}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}`),
			[],
		);
		assert.deepEqual(afterStored, { success: WAVE_SIZE });
		const afterBound = Math.floor((waveEnd - waveStart) / 1000 / REFRESH_S) + 1;
		for (const [label, count] of Object.entries(afterTokens)) {
			assert.ok(
				count <= afterBound,
				`${label}: ${count} token requests for ${WAVE_SIZE} executions, at most ${afterBound} expected: the stored token is reused`,
			);
		}

		// The stored credential still decrypts in the main (the editor's view of it) and passes its Test.
		const saved = await main.rest('GET', `/credentials/${credential.id}?includeData=true`);
		assert.equal(saved.data.username, 'queue');
		assert.equal(saved.data.tokenUrl, `${tokens.url}/token`);
		assert.equal((await main.testCredential({ id: credential.id })).status, 'OK');

		// What becomes of the executions that were running on the killed worker. n8n 2.41 has two ways:
		// - a worker restarted with the same user folder finds them unfinished in its event log
		//   (<userFolder>/.n8n/n8nEventLog*.log) and marks them crashed as it starts;
		// - Bull finds their jobs stalled once their lock (QUEUE_WORKER_LOCK_DURATION, 60 s) has
		//   expired, at its next stalled check (QUEUE_WORKER_STALLED_INTERVAL, 30 s); n8n sets
		//   maxStalledCount 0, so the job fails instead of running again, and the main, after rechecking
		//   the execution for up to 30 s, answers the waiting webhook call.
		const limit = LOCK_MS + STALLED_INTERVAL_MS + STALLED_GRACE_MS + 20_000;
		const ended = new Map<string, { status: string; at: number }>();
		let killAnswers: (Answer & { at: number })[] | undefined;
		void Promise.all(answered).then((all) => (killAnswers = all));
		const lostIds = runningOnVictim.join(',');
		for (;;) {
			const rows = await postgres.sql(`select id, status from execution_entity where id in (${lostIds})`);
			for (const [id, status] of rows.split('\n').map((row) => row.split('|'))) {
				if (!ended.has(id) && !['new', 'running'].includes(status)) ended.set(id, { status, at: Date.now() - killedAt });
			}
			if ((ended.size === runningOnVictim.length && killAnswers) || Date.now() - killedAt > limit) break;
			await sleep(500);
		}
		const finalStatus = await postgres.sql(`select status, count(*) from execution_entity where id in (${lostIds}) group by status`);
		const killStored = await statuses(killWorkflow);
		const rerun = workers.some(({ process }) =>
			runningOnVictim.some((id) => workerExecutions(process.logFile, offsets.get(process.logFile)).started.has(id)),
		);
		const span = (times: number[]) =>
			times.length ? `${(Math.min(...times) / 1000).toFixed(0)}-${(Math.max(...times) / 1000).toFixed(0)} s` : 'never';
		const byStatus = (entries: { status: string | number; at: number }[]) =>
			Object.entries(Object.groupBy(entries, (entry) => String(entry.status))).map(
				([status, group]) => `${group?.length} ${status} after ${span((group ?? []).map((e) => e.at))}`,
			);
		const lostAnswers = (killAnswers ?? []).filter((answer) => !okAnswer(answer));
		console.log(
			`[queue] the ${runningOnVictim.length} executions running on the killed worker: first stored as ${byStatus([...ended.values()]).join(', ') || 'nothing'} after the kill; ` +
				`finally ${finalStatus.replace(/\|/g, ': ').replace(/\n/g, ', ')}; ${runningOnVictim.length - ended.size} still running after ${(limit / 1000).toFixed(0)} s; kill wave stored ${JSON.stringify(killStored)}; started again: ${rerun}`,
		);
		console.log(
			`[queue] their webhook calls: ${killAnswers ? byStatus(lostAnswers).join(', ') : `${lostAnswers.length} answered, the rest still waiting after ${(limit / 1000).toFixed(0)} s`}, ` +
				`body ${JSON.stringify(lostAnswers[0]?.body)}; the other ${killAnswers?.filter(okAnswer).length ?? '?'} answered 200 with their result`,
		);
		assert.equal(ended.size, runningOnVictim.length, `every execution running on the killed worker is ended within ${limit / 1000} s`);
		for (const [id, { status }] of ended) assert.ok(['crashed', 'error'].includes(status), `execution ${id} ended ${status}`);
		assert.equal(rerun, false, 'no killed execution was started again (maxStalledCount 0)');
		const { success = 0, crashed = 0, error = 0, ...other } = killStored;
		assert.deepEqual(
			{ success, failed: crashed + error, other },
			{ success: WAVE_SIZE - runningOnVictim.length, failed: runningOnVictim.length, other: {} },
			'the rest of the kill wave succeeded; no execution was added',
		);
		assert.ok(killAnswers, `every webhook call of the kill wave was answered within ${limit / 1000} s`);
		assert.equal(killAnswers.filter(okAnswer).length, WAVE_SIZE - runningOnVictim.length);
		for (const answer of lostAnswers) assert.notEqual(answer.status, 200);
	},
);
