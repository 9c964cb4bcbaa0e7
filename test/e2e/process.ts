// Small process helpers shared by the e2e runner.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder of the running Node (…/bin/node → …): npm rebuilds native modules against its headers. */
export const nodeDir = join(dirname(process.execPath), '..');

// Keeps proxy, registry and cache settings, drops what a parent `npm run` exported
// (npm_config_ignore_scripts, nodedir=/usr, prefix, offline …), which would change what npm does here.
const KEEP = /^npm_config_(registry|cache|userconfig|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|@.*:registry|\/\/.*)$/i;

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(key) && !KEEP.test(key)) continue;
		env[key] = value;
	}
	return { ...env, ...extra };
}

/** Runs a command to completion, its output appended to `logFile`; throws with the log's tail. */
export async function run(cmd: string, args: string[], options: { cwd: string; logFile: string; env?: NodeJS.ProcessEnv }): Promise<void> {
	const log = createWriteStream(options.logFile, { flags: 'a' });
	log.write(`\n$ ${cmd} ${args.join(' ')}  (in ${options.cwd})\n`);
	const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout.pipe(log, { end: false });
	child.stderr.pipe(log, { end: false });
	const code = await new Promise<number | string>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (status, signal) => resolve(status ?? signal ?? 'unknown'));
	});
	await new Promise<void>((resolve) => log.end(resolve));
	if (code !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} failed (exit ${code}) in ${options.cwd}:\n${tail(options.logFile)}`);
	}
}

/** The last lines of a text file, for error messages. */
export function tail(file: string, lines = 40): string {
	try {
		return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
	} catch {
		return `(no ${file})`;
	}
}

export const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
