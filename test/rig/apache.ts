// Apache httpd with mod_auth_digest (Debian's apache2 package), as an independent Digest server:
// started by the tests on a free 127.0.0.1 port with a configuration written to a temporary
// folder, as an unprivileged process (as `nobody` when the tests run as root), never as the
// system service. .ci/run installs the package; without it the tests fail and say so.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const APACHE = '/usr/sbin/apache2';
const MODULES = '/usr/lib/apache2/modules';

export interface DigestUser {
	username: string;
	password: string;
}

export interface ApacheOptions {
	/** Users of the realm, written to an htdigest file by the test: HA1 = MD5(user:realm:password) over UTF-8. */
	users: DigestUser[];
	/** The realm protecting /digest/ (default "apache digest"). */
	realm?: string;
	/** Paths under /digest/ that answer 302 to a URL (mod_alias, before authentication). */
	redirects?: Record<string, string>;
}

export interface Apache {
	url: string;
	port: number;
	realm: string;
	/** Apache's error log, for a failing test's message. */
	errorLog(): string;
	close(): Promise<void>;
}

/** The reason the tests cannot run Apache, or undefined when they can. */
export function apacheMissing(): string | undefined {
	const modules = [
		'mod_mpm_prefork',
		'mod_auth_digest',
		'mod_authn_core',
		'mod_authn_file',
		'mod_authz_core',
		'mod_authz_user',
		'mod_alias',
		'mod_cgi',
		'mod_mime',
	];
	const absent = [APACHE, ...modules.map((module) => `${MODULES}/${module}.so`)].filter((file) => !existsSync(file));
	if (!absent.length) return undefined;
	return `Apache httpd is not installed (${absent.join(', ')} missing). Install Debian's packages: apt-get install apache2 apache2-utils (.ci/run does this).`;
}

async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

/** The echo endpoint: what Apache received, after authentication, as JSON. */
const ECHO_CGI = `#!/bin/sh
printf 'Content-Type: application/json\\r\\n\\r\\n'
body=$(head -c "\${CONTENT_LENGTH:-0}" | base64 -w0)
printf '{"method":"%s","user":"%s","contentType":"%s","query":"%s","body":"%s"}' "$REQUEST_METHOD" "$REMOTE_USER" "$CONTENT_TYPE" "$QUERY_STRING" "$body"
`;

export async function startApache(options: ApacheOptions): Promise<Apache> {
	const missing = apacheMissing();
	if (missing) throw new Error(missing);
	const realm = options.realm ?? 'apache digest';
	const dir = mkdtempSync(join(tmpdir(), 'apache-digest-'));
	const www = join(dir, 'www');
	mkdirSync(join(www, 'digest'), { recursive: true });
	writeFileSync(join(www, 'digest', 'data.json'), JSON.stringify({ ok: true, realm }));
	writeFileSync(join(www, 'digest', 'echo.cgi'), ECHO_CGI, { mode: 0o755 });
	writeFileSync(join(www, 'open.json'), JSON.stringify({ open: true }));
	const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
	writeFileSync(
		join(dir, 'digest.users'),
		options.users.map(({ username, password }) => `${username}:${realm}:${md5(`${username}:${realm}:${password}`)}\n`).join(''),
	);
	const port = await freePort();
	const redirects = Object.entries(options.redirects ?? {})
		.map(([path, to]) => `Redirect 302 /digest/${path} ${to}`)
		.join('\n');
	const load = (name: string, file: string) => `LoadModule ${name}_module ${MODULES}/mod_${file}.so`;
	writeFileSync(
		join(dir, 'httpd.conf'),
		`ServerRoot ${dir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
ErrorLog ${dir}/error.log
LogLevel warn auth_digest:info
${load('mpm_prefork', 'mpm_prefork')}
${load('authn_core', 'authn_core')}
${load('authn_file', 'authn_file')}
${load('authz_core', 'authz_core')}
${load('authz_user', 'authz_user')}
${load('auth_digest', 'auth_digest')}
${load('alias', 'alias')}
${load('cgi', 'cgi')}
${load('mime', 'mime')}
StartServers 2
MaxRequestWorkers 16
KeepAlive Off
TypesConfig /dev/null
AddType application/json .json
DocumentRoot ${www}
${redirects}
<Directory ${www}>
	Require all granted
</Directory>
<Directory ${www}/digest>
	Options +ExecCGI
	AddHandler cgi-script .cgi
	AuthType Digest
	AuthName "${realm}"
	AuthDigestProvider file
	AuthUserFile ${dir}/digest.users
	AuthDigestAlgorithm MD5
	AuthDigestDomain /digest/
	Require valid-user
</Directory>
`,
	);
	// Unprivileged: as root, the whole server runs as nobody, and owns nothing but its folder.
	const root = process.getuid?.() === 0;
	if (root) {
		chmodSync(dir, 0o755);
		for (const file of [
			'',
			'www',
			'www/digest',
			'www/digest/data.json',
			'www/digest/echo.cgi',
			'www/open.json',
			'digest.users',
			'httpd.conf',
		]) {
			chownSync(join(dir, file), 65534, 65534);
		}
	}
	const child: ChildProcess = spawn(APACHE, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], {
		stdio: ['ignore', 'ignore', 'pipe'],
		...(root ? { uid: 65534, gid: 65534 } : {}),
	});
	// A test process that ends without close() takes its Apache with it.
	const stop = () => child.kill('SIGTERM');
	process.once('exit', stop);
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const errorLog = () => {
		try {
			return readFileSync(join(dir, 'error.log'), 'utf8');
		} catch {
			return '';
		}
	};
	const url = `http://127.0.0.1:${port}`;
	for (let attempt = 0; ; attempt++) {
		if (child.exitCode !== null) throw new Error(`Apache did not start: ${stderr}${errorLog()}`);
		try {
			if ((await fetch(`${url}/open.json`)).ok) break;
		} catch {
			// not listening yet
		}
		if (attempt > 100) {
			child.kill();
			throw new Error(`Apache did not answer on ${url} within 10 s: ${stderr}${errorLog()}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return {
		url,
		port,
		realm,
		errorLog,
		async close() {
			process.off('exit', stop);
			if (child.exitCode === null) {
				child.kill('SIGTERM');
				await exited;
			}
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
