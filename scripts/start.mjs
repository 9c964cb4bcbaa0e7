// `npm start`: builds the package, starts a real n8n with it installed as a community package
// (database and owner kept in .n8n-demo/) and, beside it, the demo API that speaks every
// authentication method of the package; creates one demo credential and one demo workflow per
// method; prints where to log in. Ctrl-C stops everything it started.
//
// `npm start -- --headless` (or API_CONNECTOR_DEMO=headless) instead runs every demo workflow in
// a throw-away n8n, prints a table | Method | Result | Time |, and exits 0 only if all succeeded.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopWithParent } from './parent.mjs';
import { helpOnRequest } from './help.mjs';

helpOnRequest(`
npm start [-- --headless]
  Builds the package, starts a real n8n with it and a demo API for every authentication method,
  creates demo credentials and workflows, and prints the editor URL and login. Ctrl-C (or a
  SIGTERM to any of its processes) stops everything it started.
  --headless   runs every demo workflow in a throw-away n8n, prints a table, exits.
  Environment: API_CONNECTOR_DEMO_FOLDER=<dir> keeps n8n's data there instead of .n8n-demo/.
`);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const headless = process.argv.includes('--headless') || process.env.API_CONNECTOR_DEMO === 'headless';
// API_CONNECTOR_DEMO_FOLDER: another folder for n8n's data (the tests use a temporary one).
const folder = process.env.API_CONNECTOR_DEMO_FOLDER || join(root, '.n8n-demo');
const pidFile = join(folder, 'demo.pid');
const started = performance.now();
const secondsSince = (t) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

// Signals: until the demo is up, end at once (test/e2e/n8n.ts kills the n8n it spawned when this
// process exits); once it is up, stop n8n and the demo API cleanly, then exit.
let demo;
let stopping = false;
async function shutdown(reason, code = 0) {
	if (stopping) return;
	stopping = true;
	if (!demo) {
		// Still starting: exiting kills the n8n being started (see test/e2e/n8n.ts).
		if (!headless) rmSync(pidFile, { force: true });
		console.log(`\n${reason}: stopped${headless ? '' : ' while starting'}.`);
		process.exit(130);
	}
	console.log(`\n${reason}: stopping n8n and the demo API …`);
	try {
		await demo.stop();
	} finally {
		if (!headless) rmSync(pidFile, { force: true });
		console.log('Stopped.');
		process.exit(code);
	}
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal));
stopWithParent(() => void shutdown('The process that started the demo ended'));

if (!headless) {
	// One demo per folder: two n8n on one SQLite database would corrupt it.
	mkdirSync(folder, { recursive: true });
	const other = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
	if (other && other !== process.pid && isDemo(other)) {
		console.error(
			`A demo is already running from ${relative(process.cwd(), folder) || folder} (pid ${other}). Stop it (Ctrl-C in its terminal) first.`,
		);
		process.exit(1);
	}
	writeFileSync(pidFile, String(process.pid));
}

let step = performance.now();
const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
	if (!headless) rmSync(pidFile, { force: true });
	process.exit(build.status ?? 1);
}
const buildMs = performance.now() - step;

const { startDemo, runHeadless } = await import('../test/demo/demo.ts');
const { DEMO } = await import('../test/demo/api.ts');
const { credentialName } = await import('../test/demo/setup.ts');

if (headless) {
	const result = await runHeadless({ exitOnSignal: false }).catch((error) => {
		console.error(`\nThe headless demo did not run: ${error instanceof Error ? error.message : error}`);
		process.exit(1);
	});
	console.log(`\n${result.table}\n`);
	const t = result.timings;
	console.log(
		`build ${s(buildMs)}, n8n start ${s(t['n8n start'])}, setup ${s(t.setup)}, runs ${s(t.runs)}; ${secondsSince(started)} in all`,
	);
	const failed = result.rows.filter((r) => !r.passed);
	if (failed.length) console.log(`${failed.length} demo workflow(s) failed: ${failed.map((r) => r.method).join(', ')}`);
	process.exit(result.ok ? 0 : 1);
}

try {
	step = performance.now();
	demo = await startDemo({ folder, fixedPorts: true, exitOnSignal: false });
} catch (error) {
	rmSync(pidFile, { force: true });
	const message = error instanceof Error ? error.message : String(error);
	console.error(`\nThe demo did not start: ${message}`);
	if (message.includes('/rest/login'))
		console.error(`(The database in ${folder} has another owner password. Delete that folder to start afresh.)`);
	process.exit(1);
}
const { n8n, api, entries, timings } = demo;
const editor = n8n.baseUrl;
const shown = (file) => relative(process.cwd(), file) || file;
const width = Math.max(...entries.map((e) => credentialName(e.method).length));
console.log(`
n8n-nodes-api-connector demo is running (ready in ${secondsSince(started)}: build ${s(buildMs)}, n8n ${s(timings['n8n start'])}, demo content ${s(timings.setup)})

  n8n editor   ${editor}
  Log in as    ${n8n.owner.email} / ${n8n.owner.password}
  Demo API     OAuth2 ${api.oauthUrl} · keys and Basic ${api.apiUrl} · mTLS ${api.mtlsUrl} · OpenAI ${api.openaiUrl}
  Demo user    ${DEMO.user.username} / ${DEMO.user.password} (OAuth2 login page, password grant, Basic)
  n8n folder   ${shown(folder)} (log ${shown(n8n.logFile)}); delete it to start afresh

Demo workflows: open one, press "Execute workflow", open the node to see what the API answered.
${entries
	.map((e) => {
		const name = credentialName(e.method).padEnd(width);
		const url = `${editor}/workflow/${e.workflowId}`;
		if (e.method.connect) {
			return `  ${name}  ${url}\n  ${' '.repeat(width)}  first open the credential "${credentialName(e.method)}", click Connect, sign in as ${DEMO.user.username} / ${DEMO.user.password}`;
		}
		const test = e.test?.status === 'OK' ? 'Test button OK' : `Test button: ${e.test?.message ?? 'not run'}`;
		return `  ${name}  ${url}  (${test})`;
	})
	.join('\n')}

Ctrl-C stops n8n and the demo API. Headless check of every workflow: npm start -- --headless
`);
if (demo.reset.length) {
	console.log(`Note: the demo credentials from the last start were written back to the demo's values (every start does, since the
demo API's addresses and keys belong to the demo): ${demo.reset.join(', ')}. To keep your own edits, duplicate a credential.
`);
}

// If n8n dies on its own, say so and stop the rest.
const watch = setInterval(() => {
	if (stopping || isAlive(n8n.pid)) return;
	clearInterval(watch);
	console.error(`\nn8n exited on its own; see ${shown(n8n.logFile)}`);
	void shutdown('n8n exited', 1);
}, 2000);

/** Whether `pid` runs this script (a pid file may outlive its process, and pids are reused). */
function isDemo(pid) {
	if (!isAlive(pid)) return false;
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start.mjs');
	} catch {
		return true; // no /proc: trust the pid
	}
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return error.code === 'EPERM';
	}
}
