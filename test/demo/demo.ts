// The demo as a whole: a real n8n with the package installed from its tarball, the demo API
// beside it, and the demo credentials and workflows in n8n. `npm start` (test/tools/start.mjs)
// keeps it running for a user; the headless variant runs every demo workflow and reports.
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { ensureN8n, packPackage, startN8n, type N8nInstance } from '../e2e/n8n.ts';
import { startDemoApi, type DemoApi } from './api.ts';
import { formatTable, runDemoWorkflows, setupDemo, type DemoEntry, type DemoRow } from './setup.ts';

/** Who logs into the demo's n8n. */
export const DEMO_OWNER = { email: 'demo@example.com', firstName: 'Demo', lastName: 'User', password: 'Demo-password-1' };
/** n8n's own default port; the demo API follows from 5690 on. */
export const DEMO_N8N_PORT = 5678;

export interface DemoOptions {
	/** n8n's folder, kept across starts (database, owner, encryption key). Default: a temp folder, removed at stop(). */
	folder?: string;
	/** n8n on 5678 and the demo API on 5690-5697 where they are free; else free ports. */
	fixedPorts?: boolean;
	/** Passed to startN8n: false when the caller handles Ctrl-C itself. */
	exitOnSignal?: boolean;
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	log?: (line: string) => void;
}

export interface Demo {
	n8n: N8nInstance;
	api: DemoApi;
	entries: DemoEntry[];
	/** Demo credentials from an earlier start that were written back to the demo's values. */
	reset: string[];
	/** Milliseconds per step: install (n8n, if it was not cached), pack, n8n, setup. */
	timings: Record<string, number>;
	stop(): Promise<void>;
}

async function isFree(port: number): Promise<boolean> {
	const server = createServer();
	return await new Promise<boolean>((resolve) => {
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
	const log = options.log ?? ((line: string) => console.log(line));
	const timings: Record<string, number> = {};
	const timed = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
		const started = performance.now();
		try {
			return await work();
		} finally {
			timings[label] = performance.now() - started;
		}
	};
	await timed('n8n install', () => ensureN8n());
	const tarball = await timed('npm pack', () => packPackage());
	const port = options.fixedPorts && (await isFree(DEMO_N8N_PORT)) ? DEMO_N8N_PORT : undefined;
	// The authorization-code client accepts only n8n's callback; without a fixed port it is not
	// known yet, so any redirect URI is accepted.
	const callbackUrl = port ? `http://127.0.0.1:${port}/rest/oauth2-credential/callback` : undefined;
	const api = await startDemoApi({ fixedPorts: options.fixedPorts, callbackUrl });
	let n8n: N8nInstance | undefined;
	const stop = async () => {
		await Promise.all([n8n?.stop(), api.stop()]);
		rmSync(dirname(tarball), { recursive: true, force: true });
	};
	try {
		if (options.folder) log(`Starting n8n in ${options.folder} …`);
		n8n = await timed('n8n start', () =>
			startN8n({
				tarball,
				folder: options.folder,
				port,
				owner: DEMO_OWNER,
				exitOnSignal: options.exitOnSignal,
				env: { N8N_LOG_LEVEL: 'info', ...options.env },
			}),
		);
		const instance = n8n;
		const entries = await timed('setup', () => setupDemo(instance, api));
		return { n8n: instance, api, entries, reset: entries.reset, timings, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

export interface HeadlessResult {
	rows: DemoRow[];
	entries: DemoEntry[];
	table: string;
	/** Every runnable workflow succeeded. */
	ok: boolean;
	timings: Record<string, number>;
}

/** Starts the demo in a throw-away folder on free ports, runs every demo workflow, stops. */
export async function runHeadless(options: Omit<DemoOptions, 'folder' | 'fixedPorts'> = {}): Promise<HeadlessResult> {
	const demo = await startDemo(options);
	try {
		const started = performance.now();
		const rows = await runDemoWorkflows(demo.n8n, demo.entries, { connect: true });
		demo.timings.runs = performance.now() - started;
		return { rows, entries: demo.entries, table: formatTable(rows), ok: rows.every((r) => r.passed), timings: demo.timings };
	} finally {
		await demo.stop();
	}
}
