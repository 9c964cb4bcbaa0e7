// `npm start` stops cleanly, children included, whichever of its processes gets the signal: npm
// alone (a process manager), the launcher under Node 20 alone (an IDE's stop button), or the
// Node 24 process that runs the demo. Every process it started ends (n8n, n8n's task runner),
// n8n's port is free again and the demo's pid file is gone. Also `npm start` says when it writes
// the demo credentials back on a second start.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { root } from '../../scripts/paths.mjs';
import { cleanEnv } from './process.ts';

const folder = mkdtempSync(join(tmpdir(), 'api-connector-start-'));
/** Every process npm start ran, as seen once the demo was up. */
const spawned: Proc[] = [];
after(() => {
	// Whatever a failed case left running goes too, so that the next case and the suite can go on.
	for (const p of spawned.reverse()) if (alive(p.pid)) process.kill(p.pid, 'SIGKILL');
	rmSync(folder, { recursive: true, force: true });
});

interface Proc {
	pid: number;
	ppid: number;
	exe: string;
	cmdline: string;
}

function processes(): Proc[] {
	const list: Proc[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			let exe = '';
			try {
				exe = readlinkSync(`/proc/${entry}/exe`);
			} catch {
				// a zombie or another user's process
			}
			list.push({ pid: Number(entry), ppid, exe, cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ') });
		} catch {
			// gone meanwhile
		}
	}
	return list;
}

/** The process and every process below it. */
function tree(pid: number): Proc[] {
	const all = processes();
	const found = all.filter((p) => p.pid === pid);
	for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i].pid));
	return found;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

async function portOpen(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = createConnection({ host: '127.0.0.1', port }, () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/** `npm start`, as a user runs it, until the demo says it is running. */
async function start(): Promise<{ npm: ChildProcess; output: () => string; port: number }> {
	let output = '';
	// As a user runs it: with the machine's own Node first on PATH (Node 20 here, so the launcher
	// starts Node 24 itself), not the Node 24 the test runner was given.
	const PATH = (process.env.PATH ?? '')
		.split(delimiter)
		.filter((dir) => dir !== dirname(process.execPath))
		.join(delimiter);
	const npm = spawn('npm', ['start'], {
		cwd: root,
		env: cleanEnv({ API_CONNECTOR_DEMO_FOLDER: folder, PATH }),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const deadline = Date.now() + 5 * 60_000;
	while (!/demo is running/.test(output)) {
		if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}):\n${output}`);
		if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${output}`);
		await sleep(250);
	}
	const port = Number(/n8n editor\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
	spawned.push(...tree(npm.pid as number));
	return { npm, output: () => output, port };
}

/** The process running scripts/node24.mjs under the machine's Node, or under Node 24 (not `sh -c`). */
const launcher = (list: Proc[], node24: boolean) =>
	list.find((p) => /\/node$/.test(p.exe) && /scripts\/node24\.mjs/.test(p.cmdline) && /node-v24/.test(p.exe) === node24)?.pid ?? 0;

const targets: Array<[string, NodeJS.Signals, (processes: Proc[], npm: number) => number]> = [
	['npm alone', 'SIGTERM', (_, npm) => npm],
	['the launcher (Node 20) alone', 'SIGINT', (list) => launcher(list, false)],
	['the demo process (Node 24) alone', 'SIGTERM', (list) => launcher(list, true)],
];

describe('npm start stops cleanly', { timeout: 20 * 60_000 }, () => {
	for (const [label, signal, pick] of targets) {
		test(`${signal} to ${label}`, async () => {
			const { npm, output, port } = await start();
			const started = tree(npm.pid as number);
			assert.ok(
				started.some((p) => /n8n/.test(p.cmdline) && / start/.test(p.cmdline)),
				`n8n runs below npm start:\n${started.map((p) => p.cmdline).join('\n')}`,
			);
			const target = pick(started, npm.pid as number);
			assert.ok(target > 0, `no process for ${label} in:\n${started.map((p) => `${p.pid} ${p.exe} ${p.cmdline}`).join('\n')}`);
			assert.ok(existsSync(join(folder, 'demo.pid')));
			const signalled = Date.now();
			process.kill(target, signal);
			const until = Date.now() + 30_000;
			while (started.some((p) => alive(p.pid)) && Date.now() < until) await sleep(200);
			const left = started.filter((p) => alive(p.pid));
			console.log(`[start] ${signal} to ${label}: everything ended in ${((Date.now() - signalled) / 1000).toFixed(1)} s`);
			assert.deepEqual(
				left.map((p) => p.cmdline),
				[],
				`left running after ${signal} to ${label}:\n${output()}`,
			);
			assert.equal(await portOpen(port), false, `n8n's port ${port} is still open`);
			assert.equal(existsSync(join(folder, 'demo.pid')), false, 'the pid file is removed');
		});
	}

	test('a second start says the demo credentials were written back', async () => {
		const { npm, output } = await start();
		const started = tree(npm.pid as number);
		process.kill(npm.pid as number, 'SIGTERM');
		// Until the demo has cleaned up after itself (n8n stopped, its package file removed).
		const until = Date.now() + 30_000;
		while (started.some((p) => alive(p.pid)) && Date.now() < until) await sleep(200);
		assert.match(output(), /demo credentials from the last start were written back to the demo's values/);
	});
});
