#!/usr/bin/env node
// Runs a project script under Node >= 24, which n8n 2.x requires, from any Node >= 18.
// On an older Node it installs the official Node 24 binary from the npm registry into the
// cache folder once, then re-runs itself with it. It also installs the dev tools when the
// lockfile changed, so a fresh clone needs no other step.
// Usage: node scripts/node24.mjs <script> [args...]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { cacheDir } from './paths.mjs';
import { stopWithParent } from './parent.mjs';

const NODE_VERSION = '24.21.0';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
	console.error('usage: node scripts/node24.mjs <script> [args...]');
	process.exit(2);
}

/** Runs a command to its end with inherited output; exits this process when it fails. */
async function run(cmd, cmdArgs, options = {}) {
	const child = spawn(cmd, cmdArgs, { stdio: 'inherit', ...options });
	const [code, signal] = await new Promise((done) => child.on('close', (...outcome) => done(outcome)));
	if (code !== 0) {
		console.error(`\n${cmd} ${cmdArgs.join(' ')} failed (exit ${code ?? signal})`);
		process.exit(code || 1);
	}
}

/** Runs a long step, printing its elapsed time every 15 s (CI would show nothing meanwhile). */
async function withProgress(label, step) {
	const started = Date.now();
	const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
	console.error(`${label}...`);
	const ticker = setInterval(() => console.error(`  ${label.split(' (')[0]}: ${elapsed()}`), 15_000);
	try {
		await step();
	} finally {
		clearInterval(ticker);
	}
	console.error(`${label.split(' (')[0]}: done in ${elapsed()}`);
}

async function node24Binary() {
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	const pkg = `node-${platform}-${process.arch}`;
	const dir = join(cacheDir, `node-v${NODE_VERSION}`);
	const binary = join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
	if (existsSync(binary)) return binary;
	console.error(
		`Node ${process.versions.node} is too old for n8n 2.x: installing Node ${NODE_VERSION} (${pkg}) from the npm registry into ${dir}`,
	);
	const tmp = `${dir}.tmp-${process.pid}`;
	rmSync(tmp, { recursive: true, force: true });
	mkdirSync(tmp, { recursive: true });
	writeFileSync(join(tmp, 'package.json'), '{"private":true}\n');
	// The package is the plain binary; no install script is needed.
	await withProgress(`Installing Node ${NODE_VERSION}`, () =>
		run('npm', ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', `${pkg}@${NODE_VERSION}`], {
			cwd: tmp,
		}),
	);
	rmSync(dir, { recursive: true, force: true });
	renameSync(tmp, dir);
	return binary;
}

/**
 * Whether node_modules holds exactly what package-lock.json says: npm records what it installed
 * in node_modules/.package-lock.json. Whichever Node or npm ran the install does not matter.
 */
function devToolsInstalled() {
	try {
		const wanted = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages;
		const installed = JSON.parse(readFileSync(join(root, 'node_modules', '.package-lock.json'), 'utf8')).packages;
		for (const [path, entry] of Object.entries(wanted)) {
			if (path === '') continue;
			const have = installed[path];
			if (!have ? !entry.optional : have.version !== entry.version) return false;
		}
		return Object.keys(installed).every((path) => path in wanted);
	} catch {
		return false;
	}
}

async function ensureDevTools() {
	if (devToolsInstalled()) return;
	// Install scripts stay off: one dev tool's preinstall insists on pnpm, and n8n-workflow's
	// isolated-vm would compile for minutes; none of them is needed to build or test.
	await withProgress('Installing the dev tools (npm ci --ignore-scripts, about a minute)', () =>
		run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: root }),
	);
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
	const binary = await node24Binary();
	const env = { ...process.env, PATH: `${dirname(binary)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH}` };
	const child = spawn(binary, [fileURLToPath(import.meta.url), script, ...args], { stdio: 'inherit', env });
	// A signal to this process alone (an IDE's stop button, a process manager) goes on to the
	// child, which cleans up; then this process ends with it.
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
	stopWithParent(() => child.kill('SIGTERM'));
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
	await ensureDevTools();
	// The script sees its own arguments as if it had been started directly.
	process.argv = [process.argv[0], resolve(root, script), ...args];
	await import(pathToFileURL(resolve(root, script)).href);
}
