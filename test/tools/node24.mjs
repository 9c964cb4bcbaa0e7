#!/usr/bin/env node
// Runs a project script under Node >= 24, which n8n 2.x requires, from any Node >= 18.
// On an older Node it installs the official Node 24 binary from the npm registry into the
// cache folder once, then re-runs itself with it. It also installs the dev tools when the
// lockfile changed, so a fresh clone needs no other step.
// Usage: node test/tools/node24.mjs <script> [args...]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { cacheDir } from './paths.mjs';

const NODE_VERSION = '24.21.0';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
	console.error('usage: node test/tools/node24.mjs <script> [args...]');
	process.exit(2);
}

function run(cmd, cmdArgs, options = {}) {
	const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...options });
	if (result.status !== 0) {
		console.error(`\n${cmd} ${cmdArgs.join(' ')} failed (exit ${result.status ?? result.signal})`);
		process.exit(result.status || 1);
	}
}

function node24Binary() {
	const platform = process.platform === 'win32' ? 'win' : process.platform;
	const pkg = `node-${platform}-${process.arch}`;
	const dir = join(cacheDir, `node-v${NODE_VERSION}`);
	const binary = join(dir, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
	if (existsSync(binary)) return binary;
	console.error(`Node ${process.versions.node} is too old for n8n 2.x: installing Node ${NODE_VERSION} (${pkg}) from the npm registry into ${dir}`);
	const tmp = `${dir}.tmp-${process.pid}`;
	rmSync(tmp, { recursive: true, force: true });
	mkdirSync(tmp, { recursive: true });
	writeFileSync(join(tmp, 'package.json'), '{"private":true}\n');
	// The package is the plain binary; no install script is needed.
	run('npm', ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', `${pkg}@${NODE_VERSION}`], { cwd: tmp });
	rmSync(dir, { recursive: true, force: true });
	renameSync(tmp, dir);
	return binary;
}

function ensureDevTools() {
	const lock = readFileSync(join(root, 'package-lock.json'));
	const stamp = join(root, 'node_modules', '.api-connector-lock-hash');
	const hash = createHash('sha256').update(lock).update(process.versions.node).digest('hex');
	if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
	console.error('Installing the dev tools (npm ci)...');
	// .npmrc sets ignore-scripts: one dev tool's preinstall insists on pnpm.
	run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
	writeFileSync(stamp, hash);
}

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
	const binary = node24Binary();
	const env = { ...process.env, PATH: `${dirname(binary)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH}` };
	const child = spawn(binary, [fileURLToPath(import.meta.url), script, ...args], { stdio: 'inherit', env });
	// Ctrl-C reaches the child through the terminal; wait for it to finish cleaning up.
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
	ensureDevTools();
	await import(pathToFileURL(resolve(root, script)).href);
}
