// PostgreSQL and Redis for the queue-mode test, each on a free port with its own data folder in a
// temp dir, stopped and removed afterwards (also when the test process dies). Debian's packages:
// `apt-get install postgresql redis-server` (.ci/run installs them). Nothing of the machine's own
// clusters or services is used or touched.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './n8n.ts';
import { tail } from './process.ts';

const execFileAsync = promisify(execFile);

export interface Postgres {
	port: number;
	/** What n8n needs to use it (DB_TYPE=postgresdb, DB_POSTGRESDB_*). */
	env: Record<string, string>;
	/** Runs one statement with psql and returns its unaligned, tuples-only output. */
	sql(statement: string): Promise<string>;
	stop(): Promise<void>;
}

export interface Redis {
	port: number;
	stop(): Promise<void>;
}

/** The newest PostgreSQL server of Debian's layout (/usr/lib/postgresql/<major>/bin). */
export function postgresBin(): string {
	const base = '/usr/lib/postgresql';
	const majors = existsSync(base)
		? readdirSync(base)
				.filter((major) => existsSync(join(base, major, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!majors.length) throw new Error(`No PostgreSQL server under ${base}/*/bin: apt-get install postgresql (.ci/run does)`);
	return join(base, majors[0], 'bin');
}

function redisBin(): string {
	for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/bin', '/usr/sbin')) {
		if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
	}
	throw new Error('No redis-server on PATH: apt-get install redis-server (.ci/run does)');
}

/** initdb refuses to run as root: as root, the server runs as the `postgres` user. */
function postgresUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const line = readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith('postgres:'));
	if (!line)
		throw new Error('Running as root and there is no `postgres` user to run PostgreSQL as (apt-get install postgresql creates it)');
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

// Whatever is still running when the test process ends is stopped, however it ends.
const cleanups = new Set<() => void>();
let hooked = false;
function onExit(cleanup: () => void): () => void {
	if (!hooked) {
		hooked = true;
		process.on('exit', () => {
			for (const run of cleanups) run();
		});
	}
	cleanups.add(cleanup);
	return () => cleanups.delete(cleanup);
}

export async function startPostgres(): Promise<Postgres> {
	const bin = postgresBin();
	const user = postgresUser();
	const dir = mkdtempSync(join(tmpdir(), 'n8n-e2e-pg-'));
	if (user) chownSync(dir, user.uid, user.gid);
	const data = join(dir, 'data');
	const log = join(dir, 'postgres.log');
	const port = await freePort();
	const as = { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };
	const pgCtl = (args: string[]) => execFileAsync(join(bin, 'pg_ctl'), ['-D', data, ...args], as);
	const forget = onExit(() => {
		try {
			execFileSync(join(bin, 'pg_ctl'), ['-D', data, 'stop', '-m', 'immediate', '-w'], { ...as, stdio: 'ignore' });
		} catch {
			// not running
		}
		rmSync(dir, { recursive: true, force: true });
	});
	try {
		await execFileAsync(join(bin, 'initdb'), ['-D', data, '-U', 'n8n', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], as);
		// A throw-away database: no fsync. Only 127.0.0.1 and a socket in the temp dir.
		const server = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
		await pgCtl(['start', '-w', '-t', '60', '-l', log, '-o', server]);
		await execFileAsync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', 'n8n'], as);
	} catch (error) {
		forget();
		try {
			await pgCtl(['stop', '-m', 'immediate', '-w']);
		} catch {
			// never started
		}
		const text = tail(log);
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${text}`);
	}
	return {
		port,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: '',
		},
		async sql(statement) {
			const { stdout } = await execFileAsync(
				join(bin, 'psql'),
				['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', '-d', 'n8n', '-AtX', '-v', 'ON_ERROR_STOP=1', '-c', statement],
				as,
			);
			return stdout.trim();
		},
		async stop() {
			forget();
			try {
				await pgCtl(['stop', '-m', 'fast', '-w', '-t', '30']);
			} finally {
				rmSync(dir, { recursive: true, force: true });
			}
		},
	};
}

/** Answers PING with +PONG once Redis accepts commands. */
async function ping(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		let answer = '';
		socket.setTimeout(1000, () => socket.destroy());
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString();
			if (answer.includes('\r\n')) socket.end();
		});
		socket.on('close', () => resolve(answer.startsWith('+PONG')));
		socket.on('error', () => resolve(false));
	});
}

export async function startRedis(): Promise<Redis> {
	const bin = redisBin();
	const dir = mkdtempSync(join(tmpdir(), 'n8n-e2e-redis-'));
	const port = await freePort();
	// No persistence, only 127.0.0.1, its own folder; logs to stdout, which goes to a file.
	const args = [
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--dir',
		dir,
		'--save',
		'',
		'--appendonly',
		'no',
		'--daemonize',
		'no',
		'--logfile',
		join(dir, 'redis.log'),
	];
	const child = spawn(bin, args, { cwd: dir, stdio: 'ignore' });
	child.unref();
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const forget = onExit(() => {
		child.kill('SIGKILL');
		rmSync(dir, { recursive: true, force: true });
	});
	const stop = async () => {
		forget();
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exited;
			clearTimeout(killer);
		}
		rmSync(dir, { recursive: true, force: true });
	};
	const deadline = Date.now() + 30_000;
	while (!(await ping(port))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			const text = tail(join(dir, 'redis.log'));
			await stop();
			throw new Error(`Redis did not start (exit ${child.exitCode}):\n${text}`);
		}
		await sleep(100);
	}
	return { port, stop };
}
