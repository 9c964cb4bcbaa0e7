// Runs a real n8n with this package installed the way users install community packages, and
// drives it through the same REST calls as the editor. See n8n.test.ts for a tour.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { INSTALL_ARGS } from '../../scripts/install-command.mjs';
import { ensureN8n } from './install.ts';
import { cleanEnv, run, seconds, tail } from './process.ts';

export { ensureN8n, isN8nInstalled, packPackage, repoRoot } from './install.ts';

const execFileAsync = promisify(execFile);

export interface StartOptions {
	/** The package tarball (from packPackage) to install as a community package. */
	tarball: string;
	/** Extra environment for n8n; wins over the defaults below. */
	env?: Record<string, string>;
	/** n8n version to run (installed on demand). */
	version?: string;
	/** Keep the temp folder (user folder and log) after stop(); also N8N_E2E_KEEP=1. */
	keep?: boolean;
	/** How long to wait for n8n to answer /healthz and its REST API. */
	startTimeoutMs?: number;
	/**
	 * Use this folder (created if missing, never deleted) instead of a temp one: the user folder
	 * is `<folder>/home`, the log `<folder>/n8n.log`. A later start reuses its database and
	 * encryption key, and logs the owner in.
	 */
	folder?: string;
	/** n8n's port (default: a free one); for a worker, its health-check port. */
	port?: number;
	/**
	 * `start` (default): the main process, with editor, REST API and webhooks. `worker`: `n8n worker`
	 * for queue mode (give it the main's N8N_ENCRYPTION_KEY, DB_* and QUEUE_* in `env`): it has no
	 * REST API, only its health check (QUEUE_HEALTH_CHECK_PORT, here `port`), which start waits for.
	 */
	command?: 'start' | 'worker';
	/** The owner to set up, or to log in as when the database has one. */
	owner?: { email: string; firstName: string; lastName: string; password: string };
	/**
	 * Whether SIGINT/SIGTERM/SIGHUP end this process at once (default true). With false the caller
	 * handles them and calls stop(); n8n is still killed when the process exits.
	 */
	exitOnSignal?: boolean;
}

export interface Credential {
	id: string;
	name: string;
	type: string;
}

/** A queue-mode worker (`n8n worker`): no REST API, just its process and health check. */
export interface N8nWorker {
	/** http://127.0.0.1:<QUEUE_HEALTH_CHECK_PORT> */
	healthUrl: string;
	logFile: string;
	userFolder: string;
	encryptionKey: string;
	/** Milliseconds from spawning the worker to /healthz/readiness answering. */
	startMs: number;
	pid: number;
	/** Sends `signal` to the worker and its task runner and waits until the worker is gone. */
	kill(signal: NodeJS.Signals): Promise<void>;
	stop(): Promise<void>;
}

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

export interface NodeRun {
	/** Items of the node's first output in its last run. */
	json: any[];
	/** Items of every output in its last run (IF, Switch …). */
	outputs: any[][];
	/** The node's error in its last run, as n8n stored it (message, description, httpCode …). */
	error?: { message: string; description?: string; [key: string]: unknown };
	/** How often the node ran in this execution. */
	runs: number;
}

export interface ExecutionResult {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	/** The execution's top-level error, if it failed. */
	error?: { message: string; [key: string]: unknown };
	nodes: Record<string, NodeRun>;
	/** The execution as the REST API returned it, with `data` decoded. */
	raw: any;
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
	workflowId: string;
	startedAt: string;
	stoppedAt?: string;
}

export interface WebhookResponse {
	status: number;
	headers: Headers;
	body: any;
}

export interface N8nInstance {
	baseUrl: string;
	logFile: string;
	userFolder: string;
	encryptionKey: string;
	/** Milliseconds from spawning n8n to a usable REST API with an owner. */
	startMs: number;
	/** The n8n main process, e.g. to read its memory from /proc. */
	pid: number;
	/** Who the REST calls are made as (the editor's login). */
	owner: { email: string; password: string };
	/** The owner's session cookie (`name=value; …`), for calls that rest() does not cover. */
	cookie: string;
	stop(): Promise<void>;
	rest<T = any>(method: string, path: string, body?: unknown): Promise<T>;
	credentialTypes(): Promise<{ name: string; displayName: string; [key: string]: unknown }[]>;
	createCredential(credential: { name: string; type: string; data: Record<string, unknown> }): Promise<Credential>;
	testCredential(credential: { id?: string; name?: string; type?: string; data?: Record<string, unknown> }): Promise<CredentialTestResult>;
	createWorkflow(workflow: {
		name: string;
		nodes: unknown[];
		connections: unknown;
		settings?: unknown;
		[key: string]: unknown;
	}): Promise<string>;
	/** Publishes the workflow and waits until its triggers (webhooks) are live. */
	activateWorkflow(id: string, timeoutMs?: number): Promise<void>;
	runWorkflowManually(id: string, options?: { triggerNode?: string; timeoutMs?: number }): Promise<ExecutionResult>;
	/** Like runWorkflowManually, but returns the execution id at once (to Stop it, or watch it run). */
	startWorkflowManually(id: string, options?: { triggerNode?: string }): Promise<string>;
	callWebhook(
		path: string,
		request?: { method?: string; body?: unknown; query?: Record<string, string>; headers?: Record<string, string> },
	): Promise<WebhookResponse>;
	getExecution(id: string): Promise<ExecutionResult>;
	/** Polls until the execution is no longer new/running (success, error, canceled, crashed, waiting). */
	waitForExecution(id: string, timeoutMs?: number): Promise<ExecutionResult>;
	listExecutions(workflowId: string): Promise<ExecutionSummary[]>;
	importCredentials(file: string): Promise<void>;
	importWorkflows(file: string): Promise<void>;
}

const OWNER = { email: 'owner@e2e.test', firstName: 'E2E', lastName: 'Owner', password: 'E2e-owner-password-1' };

// Everything started here is killed when the test process ends, however it ends.
const running = new Set<{ child: ChildProcess; root?: string }>();
let exitHooked = false;
let signalsHooked = false;
function hookExit(exitOnSignal = true) {
	if (!exitHooked) {
		exitHooked = true;
		process.on('exit', () => {
			for (const { child, root } of running) {
				killGroup(child, 'SIGKILL');
				if (root) rmSync(root, { recursive: true, force: true });
			}
		});
	}
	if (!exitOnSignal || signalsHooked) return;
	signalsHooked = true;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.once(signal, () => {
			process.exitCode = 128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15);
			process.exit(); // runs the exit hook above
		});
	}
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
	if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
	try {
		process.kill(-child.pid, signal); // n8n and its task runner
	} catch {
		child.kill(signal);
	}
}

export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/**
 * Installs the tarball the way the README tells users to install by hand: in
 * `<userFolder>/.n8n/nodes`, `npm install --legacy-peer-deps <tarball>`, with the npm registry
 * unreachable (the case the README names for this route). n8n then loads it at start as
 * `<name>.<type>`.
 */
export async function installByHand(tarball: string, nodesDir: string, logFile: string): Promise<string> {
	const { stdout } = await execFileAsync('tar', ['-xzOf', tarball, 'package/package.json']);
	const { name } = JSON.parse(stdout) as { name: string };
	mkdirSync(nodesDir, { recursive: true });
	rmSync(join(nodesDir, 'node_modules', name), { recursive: true, force: true }); // a reused user folder: no stale files
	await run('npm', [...INSTALL_ARGS, tarball], {
		cwd: nodesDir,
		logFile,
		env: cleanEnv({ npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' }),
	});
	return name;
}

/** Variables a developer's shell may carry that would change how the test n8n behaves. */
const N8N_ENV = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|NODE_ENV$|NODE_OPTIONS$)/;

export async function startN8n(options: StartOptions & { command: 'worker' }): Promise<N8nWorker>;
export async function startN8n(options: StartOptions & { command?: 'start' }): Promise<N8nInstance>;
export async function startN8n(options: StartOptions): Promise<N8nInstance | N8nWorker> {
	const worker = options.command === 'worker';
	const bin = await ensureN8n(options.version);
	const root = options.folder ?? mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
	const userFolder = join(root, 'home');
	const logFile = join(root, 'n8n.log'); // n8n's own output only: tests scan it for secrets
	const keep = options.folder !== undefined || options.keep || process.env.N8N_E2E_KEEP === '1';
	mkdirSync(userFolder, { recursive: true });

	let step = performance.now();
	const packageName = await installByHand(options.tarball, join(userFolder, '.n8n', 'nodes'), join(root, 'install.log'));
	console.log(`[e2e] installed ${packageName} by hand, as the README says, offline, in ${seconds(step)}`);

	const [port, brokerPort] = [options.port ?? (await freePort()), await freePort()];
	const baseUrl = `http://127.0.0.1:${port}`;
	// A reused user folder keeps the key n8n recorded there (another key makes n8n refuse to start).
	// Queue mode: every process gets the main's key through `env`.
	const encryptionKey = options.env?.N8N_ENCRYPTION_KEY ?? savedEncryptionKey(userFolder) ?? randomBytes(24).toString('hex');
	const inherited = Object.fromEntries(Object.entries(cleanEnv()).filter(([key]) => !N8N_ENV.test(key)));
	const env = {
		...inherited,
		// Same Node as this process: the native modules were built for it.
		PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
		NODE_ENV: 'production', // 'test' would make n8n refuse to load nodes
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_WEBHOOK_URL: `${baseUrl}/`,
		N8N_SECURE_COOKIE: 'false',
		DB_TYPE: 'sqlite',
		// Offline and quiet: no telemetry, update checks, templates, banners or onboarding.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		// Its system task polls api.n8n.io for MCP servers right after start.
		...(existsSync(join(dirname(bin), '..', 'dist', 'modules', 'mcp-registry')) ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true', // what installing from a tarball amounts to
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		// Task runners are always on in 2.x (N8N_RUNNERS_ENABLED is deprecated); their broker
		// needs its own port so that several n8n can run side by side.
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// Keep every execution, so tests can read what each node did.
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		// Full log, read by tests that look for leaked secrets.
		N8N_LOG_LEVEL: 'debug',
		N8N_LOG_OUTPUT: 'console',
		NO_PROXY: ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(','),
		no_proxy: ['127.0.0.1', 'localhost', process.env.no_proxy].filter(Boolean).join(','),
		// A worker's only server: its health check, on a port of its own (the default 5678 is n8n's).
		...(worker ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' } : {}),
		...options.env,
	};

	hookExit(options.exitOnSignal ?? true);
	step = performance.now();
	const logFd = openSync(logFile, 'a');
	// Own process group, so that stop() also reaches the task runner n8n spawns.
	const child = spawn(process.execPath, [bin, worker ? 'worker' : 'start'], {
		cwd: userFolder,
		env,
		stdio: ['ignore', logFd, logFd],
		detached: true,
	});
	closeSync(logFd);
	child.unref(); // a forgotten stop() must not keep the tests alive; the exit hook kills it
	const entry = { child, root: keep ? undefined : root };
	running.add(entry);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

	let stopping: Promise<void> | undefined;
	const stop = () =>
		(stopping ??= (async () => {
			killGroup(child, 'SIGTERM');
			const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
			await exited;
			clearTimeout(killer);
			running.delete(entry);
			if (!keep) rmSync(root, { recursive: true, force: true });
			else if (!options.folder) console.log(`[e2e] kept n8n's folder ${root}`);
		})());

	const failStart = async (reason: string): Promise<never> => {
		const log = tail(logFile, 60);
		await stop();
		throw new Error(`n8n did not start: ${reason}\n--- last lines of ${logFile} ---\n${log}`);
	};
	const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
	const waitFor = async (what: string, ready: () => Promise<boolean>) => {
		while (!(await ready().catch(() => false))) {
			if (child.exitCode !== null || child.signalCode !== null)
				await failStart(`it exited (${child.exitCode ?? child.signalCode}) while waiting for ${what}`);
			if (Date.now() > deadline) await failStart(`no ${what} after ${seconds(step)}`);
			await sleep(250);
		}
		console.log(`[e2e] n8n: ${what} after ${seconds(step)}`);
	};
	if (worker) {
		// Ready once it has connected to the database and Redis and takes jobs.
		await waitFor('worker /healthz/readiness', async () => (await fetch(`${baseUrl}/healthz/readiness`)).ok);
		const workerMs = performance.now() - step;
		console.log(`[e2e] n8n worker ${baseUrl} ready in ${seconds(step)} (log: ${logFile})`);
		return {
			healthUrl: baseUrl,
			logFile,
			userFolder,
			encryptionKey,
			startMs: workerMs,
			pid: child.pid as number,
			async kill(signal) {
				killGroup(child, signal);
				await exited;
			},
			stop,
		};
	}
	await waitFor('/healthz', async () => (await fetch(`${baseUrl}/healthz`)).ok);
	// The REST API comes up well after /healthz (migrations, nodes, modules); until then every
	// route answers 200 "n8n is starting up". /healthz/readiness says when the server is done.
	await waitFor('/healthz/readiness', async () => (await fetch(`${baseUrl}/healthz/readiness`)).ok);
	await waitFor('REST API', async () => {
		const response = await fetch(`${baseUrl}/rest/settings`);
		return response.ok && Boolean(((await response.json()) as { data?: unknown }).data);
	});

	const owner = options.owner ?? OWNER;
	const post = (path: string, body: unknown) =>
		fetch(`${baseUrl}/rest${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	let setup = await post('/owner/setup', owner);
	if (!setup.ok) {
		const text = await setup.text();
		if (setup.status !== 400 || !/already setup/i.test(text)) await failStart(`POST /rest/owner/setup answered ${setup.status}: ${text}`);
		// A reused database has its owner already: log in as the editor does.
		setup = await post('/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		if (!setup.ok) await failStart(`POST /rest/login as ${owner.email} answered ${setup.status}: ${await setup.text()}`);
	}
	const cookie = setup.headers
		.getSetCookie()
		.map((c) => c.split(';')[0])
		.join('; ');
	const startMs = performance.now() - step;
	console.log(`[e2e] n8n ${baseUrl} ready with an owner in ${seconds(step)} (log: ${logFile})`);

	const rest = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
		const response = await fetch(`${baseUrl}/rest${path}`, {
			method,
			headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${path} answered ${response.status}: ${text.slice(0, 2000)}`);
		return (text ? JSON.parse(text).data : undefined) as T;
	};

	const parseFlatted = loadFlatted(bin);
	const decode = (execution: any): ExecutionResult => {
		const data = typeof execution.data === 'string' ? parseFlatted(execution.data) : execution.data;
		const nodes: Record<string, NodeRun> = {};
		for (const [name, runs] of Object.entries<any[]>(data?.resultData?.runData ?? {})) {
			const last = runs.at(-1) ?? {};
			const outputs = ((last.data?.main ?? []) as any[]).map((items) => (items ?? []).map((item: any) => item.json));
			nodes[name] = { json: outputs[0] ?? [], outputs, runs: runs.length, ...(last.error ? { error: last.error } : {}) };
		}
		return {
			id: String(execution.id),
			status: execution.status,
			finished: execution.finished,
			mode: execution.mode,
			...(data?.resultData?.error ? { error: data.resultData.error } : {}),
			nodes,
			raw: { ...execution, data },
		};
	};
	const getExecution = async (id: string) => decode(await rest('GET', `/executions/${id}`));
	const waitForExecution = async (id: string, timeoutMs = 60_000) => {
		const until = Date.now() + timeoutMs;
		for (;;) {
			// n8n 2.20 answers 500 for an execution that has no data yet: still running.
			const execution = await getExecution(id).catch((error: Error) => {
				if (/answered 500.*resultData/.test(error.message)) return undefined;
				// Under load (a busy shared machine) n8n's database check can fail for a moment.
				if (/answered 503.*Database is not ready/.test(error.message)) return undefined;
				throw error;
			});
			// 'waiting' (a Wait node or a form) is returned too: it needs the test to act.
			if (execution && !['new', 'running', 'unknown'].includes(execution.status)) return execution;
			if (Date.now() > until)
				throw new Error(`Execution ${id} still ${execution?.status ?? 'without data'} after ${timeoutMs} ms\n${tail(logFile)}`);
			await sleep(200);
		}
	};
	const startWorkflowManually = async (id: string, { triggerNode }: { triggerNode?: string } = {}): Promise<string> => {
		// The editor's "Execute workflow" button: POST /workflows/:id/run from a trigger; the
		// server answers with the execution id and runs it in the background.
		const workflow = await rest('GET', `/workflows/${id}`);
		const triggers = (workflow.nodes as { name: string; type: string; disabled?: boolean }[]).filter(
			(node) => !node.disabled && /trigger|webhook/i.test(node.type),
		);
		const trigger = triggerNode ?? (triggers.find((node) => node.type === 'n8n-nodes-base.manualTrigger') ?? triggers[0])?.name;
		if (!trigger) throw new Error(`Workflow ${id} has no trigger node to start from`);
		const started = await rest('POST', `/workflows/${id}/run`, { workflowId: id, triggerToStartFrom: { name: trigger } });
		if (!started?.executionId) {
			throw new Error(
				`Workflow ${id} did not start an execution from "${trigger}": ${JSON.stringify(started)} (webhook triggers wait for a test call; use a Manual Trigger)`,
			);
		}
		return String(started.executionId);
	};
	const cli = async (args: string[]) => {
		await run(process.execPath, [bin, ...args], { cwd: userFolder, logFile: join(root, 'cli.log'), env });
	};

	return {
		baseUrl,
		logFile,
		userFolder,
		encryptionKey,
		startMs,
		pid: child.pid as number,
		owner: { email: owner.email, password: owner.password },
		cookie,
		stop,
		rest,
		async credentialTypes() {
			// What the editor loads to know the credential types (a static file behind the login).
			const response = await fetch(`${baseUrl}/types/credentials.json`, { headers: { cookie } });
			if (!response.ok) throw new Error(`GET /types/credentials.json answered ${response.status}`);
			return (await response.json()) as { name: string; displayName: string }[];
		},
		async createCredential({ name, type, data }) {
			const created = await rest('POST', '/credentials', { name, type, data });
			return { id: created.id, name: created.name, type: created.type };
		},
		async testCredential({ id, name, type, data }) {
			// The editor's Test button (useCredentialForm): POST /credentials/test with the form's
			// content. For a saved credential the form holds what GET /credentials/:id?includeData
			// returned (secrets as n8n's blanking placeholder, which the server swaps back for the
			// stored values), empty strings dropped, plus homeProject; for a new one, id is ''.
			if (!id) {
				if (!type) throw new Error('testCredential: an unsaved credential needs its type');
				const unsaved = { credentials: { id: '', name: name ?? '', type, data: data ?? {} } };
				const answer = await rest('POST', '/credentials/test', unsaved).catch(async (error: Error) => {
					// n8n before 2.2x tests only saved credentials (its editor saves first): do the same.
					if (!/answered 403/.test(error.message)) throw error;
					const saved = await rest('POST', '/credentials', { name: `${name || type} (unsaved, test)`, type, data: data ?? {} });
					try {
						return await rest('POST', '/credentials/test', { credentials: { ...unsaved.credentials, id: saved.id, name: saved.name } });
					} finally {
						await rest('DELETE', `/credentials/${saved.id}`);
					}
				});
				return answer;
			}
			const saved = await rest('GET', `/credentials/${id}?includeData=true`);
			const form: Record<string, unknown> = Object.fromEntries(Object.entries(saved.data ?? {}).filter(([, value]) => value !== ''));
			if (saved.homeProject) form.homeProject = saved.homeProject;
			return await rest('POST', '/credentials/test', {
				credentials: { id, name: name ?? saved.name, type: type ?? saved.type, data: { ...form, ...data } },
			});
		},
		async createWorkflow(workflow) {
			const created = await rest('POST', '/workflows', { settings: { executionOrder: 'v1' }, ...workflow, active: false });
			return created.id as string;
		},
		async activateWorkflow(id, timeoutMs = 30_000) {
			// 2.x publishes a given version of the workflow, and registers its triggers (webhooks)
			// afterwards through an outbox: wait until they are live.
			const { versionId } = await rest('GET', `/workflows/${id}`);
			await rest('POST', `/workflows/${id}/activate`, { versionId });
			const until = Date.now() + timeoutMs;
			for (;;) {
				const publication = await rest('GET', `/workflows/${id}/publication-status`).catch((error: Error) => {
					// An n8n without this endpoint (2.20, the minimum) registers webhooks within the activate call.
					if (/answered 404/.test(error.message)) return undefined;
					throw error;
				});
				if (!publication) {
					const workflow = await rest('GET', `/workflows/${id}`);
					if (workflow.active === true || workflow.activeVersionId === versionId) return;
					throw new Error(`Workflow ${id} is not active after activation: ${JSON.stringify({ active: workflow.active })}`);
				}
				if (publication.status === 'published' && publication.liveVersionId === versionId) return;
				if (publication.status === 'failed' || publication.status === 'partial') {
					throw new Error(`Activating workflow ${id} failed: ${JSON.stringify(publication.triggers)}`);
				}
				if (Date.now() > until) throw new Error(`Workflow ${id} still ${publication.status} after ${timeoutMs} ms\n${tail(logFile)}`);
				await sleep(100);
			}
		},
		async runWorkflowManually(id, { triggerNode, timeoutMs } = {}) {
			return await waitForExecution(await startWorkflowManually(id, { triggerNode }), timeoutMs);
		},
		startWorkflowManually,
		async callWebhook(path, { method = 'POST', body, query, headers = {} } = {}) {
			const url = new URL(`${baseUrl}/webhook/${path.replace(/^\/+/, '')}`);
			for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
			const isJson = body !== undefined && typeof body !== 'string';
			const response = await fetch(url, {
				method,
				headers: { ...(isJson ? { 'content-type': 'application/json' } : {}), ...headers },
				body: body === undefined ? undefined : isJson ? JSON.stringify(body) : (body as string),
			});
			const text = await response.text();
			let parsed: unknown = text;
			try {
				parsed = JSON.parse(text);
			} catch {
				// not JSON: keep the text
			}
			return { status: response.status, headers: response.headers, body: parsed };
		},
		getExecution,
		waitForExecution,
		async listExecutions(workflowId) {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const { results } = await rest('GET', `/executions?filter=${filter}&limit=100`);
			return results as ExecutionSummary[];
		},
		// The CLI route (n8n import:*) works next to the running n8n: it shares the sqlite file.
		importCredentials: (file) => cli(['import:credentials', `--input=${file}`]),
		importWorkflows: (file) => cli(['import:workflow', `--input=${file}`]),
	};
}

/** The key n8n wrote into `<userFolder>/.n8n/config` on an earlier start, if any. */
function savedEncryptionKey(userFolder: string): string | undefined {
	try {
		const key = (JSON.parse(readFileSync(join(userFolder, '.n8n', 'config'), 'utf8')) as { encryptionKey?: unknown }).encryptionKey;
		return typeof key === 'string' && key ? key : undefined;
	} catch {
		return undefined;
	}
}

/** n8n stores execution data with `flatted`; use n8n's own copy to read it back. */
function loadFlatted(bin: string): (text: string) => any {
	const requireFromN8n = createRequire(join(dirname(bin), '..', 'package.json'));
	return (requireFromN8n('flatted') as { parse: (text: string) => any }).parse;
}
