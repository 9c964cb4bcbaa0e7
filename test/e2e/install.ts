// Installs n8n once into the cache folder, and packs this package the way it is published.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { cacheDir } from '../../scripts/paths.mjs';
import { N8N_VERSION } from '../../scripts/versions.mjs';
import { cleanEnv, nodeDir, run, seconds } from './process.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const installs = new Map<string, Promise<string>>();

/**
 * Installs n8n `version` into `<cacheDir>/n8n-<version>/` unless a finished install is there,
 * and returns the path of its `n8n` binary. Callers in one process share one install; other
 * processes (node --test runs each file in its own) wait on a lock folder.
 */
export function ensureN8n(version = N8N_VERSION): Promise<string> {
	let install = installs.get(version);
	if (!install) {
		install = installN8n(version);
		installs.set(version, install);
		install.catch(() => installs.delete(version));
	}
	return install;
}

interface Marker {
	version: string;
	/** Node's ABI: the native modules (sqlite3, isolated-vm) are built for one. */
	modules: string;
}

function paths(version: string) {
	const dir = join(cacheDir, `n8n-${version}`);
	return { dir, bin: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'), markerFile: join(dir, '.install-complete.json') };
}

function readMarker(markerFile: string): Marker | undefined {
	try {
		return JSON.parse(readFileSync(markerFile, 'utf8')) as Marker;
	} catch {
		return undefined;
	}
}

/** Whether ensureN8n(version) would find a finished install for this Node. */
export function isN8nInstalled(version = N8N_VERSION): boolean {
	const { bin, markerFile } = paths(version);
	return readMarker(markerFile)?.modules === process.versions.modules && existsSync(bin);
}

async function installN8n(version: string): Promise<string> {
	const { dir, bin, markerFile } = paths(version);
	const isReady = () => isN8nInstalled(version);
	if (isReady()) {
		console.log(`[e2e] n8n ${version}: cached in ${dir}`);
		return bin;
	}

	const release = await lock(`${dir}.lock`);
	const started = performance.now();
	// Long and otherwise silent: say every 30 s that it is still going.
	const ticker = setInterval(() => console.log(`[e2e] n8n ${version}: still installing, ${seconds(started)}`), 30_000);
	try {
		if (isReady()) return bin; // another process finished it while we waited
		const logFile = join(cacheDir, `n8n-${version}.install.log`);
		rmSync(logFile, { force: true });
		const marker = readMarker(markerFile);
		if (!marker || marker.version !== version || !existsSync(bin)) {
			// No marker means nothing or an interrupted install: start over.
			console.log(
				`[e2e] n8n ${version}: installing into ${dir} (2.9 GB: about 4 minutes on an idle machine, up to 20 on a busy one; log: ${logFile})`,
			);
			rmSync(dir, { recursive: true, force: true });
			mkdirSync(dir, { recursive: true });
			// n8n pins xlsx as a tarball URL outside the registry; this fork on the registry is the same code.
			const manifest = {
				name: 'n8n-e2e-cache',
				private: true,
				dependencies: { n8n: version },
				overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' },
			};
			writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
			const step = performance.now();
			// Install scripts off: several try to download binaries (Kafka, prebuilds) and fail offline.
			await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: dir, logFile });
			console.log(`[e2e] n8n ${version}: npm install done in ${seconds(step)}`);
		} else {
			console.log(`[e2e] n8n ${version}: Node ABI changed (${marker.modules} → ${process.versions.modules}), rebuilding native modules`);
		}
		const step = performance.now();
		// The two native modules n8n needs, built for the running Node against its own headers
		// (~/.npmrc may point nodedir at an older Node's).
		await run('npm', ['rebuild', 'sqlite3', 'isolated-vm', '--ignore-scripts=false', '--foreground-scripts'], {
			cwd: dir,
			logFile,
			env: cleanEnv({ npm_config_nodedir: nodeDir }),
		});
		execFileSync(process.execPath, ['-e', "require('sqlite3'); require('isolated-vm')"], { cwd: dir, stdio: 'pipe' });
		console.log(`[e2e] n8n ${version}: native modules rebuilt in ${seconds(step)}`);
		writeFileSync(markerFile, JSON.stringify({ version, modules: process.versions.modules } satisfies Marker));
		console.log(`[e2e] n8n ${version}: installed in ${seconds(started)}`);
		return bin;
	} finally {
		clearInterval(ticker);
		release();
	}
}

/** A lock folder holding the owner's pid; a lock whose owner died is taken over. */
async function lock(path: string, timeoutMs = 20 * 60_000): Promise<() => void> {
	const deadline = Date.now() + timeoutMs;
	let announced = false;
	mkdirSync(dirname(path), { recursive: true });
	for (;;) {
		try {
			mkdirSync(path);
			writeFileSync(join(path, 'pid'), String(process.pid));
			return () => rmSync(path, { recursive: true, force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let owner = 0;
		try {
			owner = Number(readFileSync(join(path, 'pid'), 'utf8'));
		} catch {
			// released meanwhile, or its owner has not written its pid yet
		}
		if (owner && !isAlive(owner)) {
			rmSync(path, { recursive: true, force: true });
			continue;
		}
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${path} (held by pid ${owner})`);
		if (!announced) console.log(`[e2e] waiting for another process installing n8n (lock ${path}, pid ${owner})`);
		announced = true;
		await sleep(2000);
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** `npm pack` of the package (build it first) into a fresh temp folder; returns the tarball path. */
export function packPackage(): string {
	const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
		n8n?: { credentials?: string[]; nodes?: string[] };
	};
	const declared = [...(manifest.n8n?.credentials ?? []), ...(manifest.n8n?.nodes ?? [])];
	const missing = declared.filter((file) => !existsSync(join(repoRoot, file)));
	if (missing.length) throw new Error(`Build the package first (npm run build): missing ${missing.join(', ')}`);
	const destination = mkdtempSync(join(tmpdir(), 'api-connector-pack-'));
	// The tarball is installed from a copy n8n's user folder keeps; the pack folder goes with this process.
	process.once('exit', () => rmSync(destination, { recursive: true, force: true }));
	const output = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
		cwd: repoRoot,
		env: cleanEnv(),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [{ filename }] = JSON.parse(output) as { filename: string }[];
	return join(destination, filename);
}
