// A real browser for the end-to-end tests: Debian's Chromium (apt-get install chromium) driven by
// playwright-core. Nothing is downloaded: playwright's own browser builds are never used.
//
//   const browser = await launchBrowser();          // fails loudly when Chromium is missing
//   const page = await browser.newPage();
//   await loginToEditor(page, n8n);                 // the n8n editor, signed in as the owner
//   await screenshot(page, 'connected-credential'); // → test/artifacts/connected-credential.png
//   await browser.close();
//
// The browser reaches loopback addresses only: every other request fails at once (and is listed
// in `browser.external`), so a page that pulls fonts or telemetry from the internet neither
// hangs the test nor leaks traffic.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, selectors } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { repoRoot } from './install.ts';

export type { BrowserContext, Page } from 'playwright-core';

/** Where screenshots go: test/artifacts/ (gitignored), or E2E_ARTIFACTS. */
export const artifactsDir = () => process.env.E2E_ARTIFACTS ?? join(repoRoot, 'test', 'artifacts');

/** Debian's Chromium; CHROMIUM_PATH overrides it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The n8n owner that startN8n() creates (test/e2e/n8n.ts, OWNER). */
export const EDITOR_OWNER = { email: 'owner@e2e.test', password: 'E2e-owner-password-1' };

// As root (no sandbox possible) and offline: no GPU, no QUIC, none of Chrome's own background
// traffic (component updates, sync, field trials, safe browsing lists).
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
	// Anything that is not loopback goes to a proxy that is not there (port 9, discard): it
	// fails at once with ERR_PROXY_CONNECTION_FAILED and no DNS lookup happens. Chromium never
	// sends loopback addresses through a proxy.
	'--proxy-server=http://127.0.0.1:9',
];

export interface LaunchOptions {
	/** Browser viewport (default 1400×900). */
	viewport?: { width: number; height: number };
	/** Default timeout of page actions and waits in ms (default 30 s). */
	timeoutMs?: number;
}

export interface E2eBrowser {
	/** The browser's only context (a fresh profile); popups open in it too. */
	context: BrowserContext;
	/** Chromium's version string. */
	version: string;
	/** Milliseconds from launch() to a usable browser. */
	launchMs: number;
	/** Requests to non-loopback addresses that were refused, in order. */
	external: string[];
	newPage(): Promise<Page>;
	close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Starts Debian's Chromium headless with a fresh profile (--user-data-dir in a temp folder,
 * removed by close()). Throws with the install command when Chromium is missing: these tests
 * never skip.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<E2eBrowser> {
	if (!existsSync(chromiumPath)) {
		throw new Error(
			`Chromium is not installed (no ${chromiumPath}). The browser tests need Debian's Chromium: ` +
				'run `apt-get install -y chromium` as root (CI installs it the same way), or set CHROMIUM_PATH. ' +
				'Never `npx playwright install`: it downloads a browser build, which this machine cannot reach.',
		);
	}
	// n8n marks its elements with data-test-id; getByTestId() should find them.
	selectors.setTestIdAttribute('data-test-id');
	const userDataDir = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
	const started = performance.now();
	let context: BrowserContext;
	try {
		context = await chromium.launchPersistentContext(userDataDir, {
			executablePath: chromiumPath,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: options.viewport ?? { width: 1400, height: 900 },
			timeout: 60_000,
		});
	} catch (error) {
		rmSync(userDataDir, { recursive: true, force: true });
		throw new Error(`Chromium (${chromiumPath}) did not start: ${(error as Error).message}`, { cause: error });
	}
	const launchMs = performance.now() - started;
	context.setDefaultTimeout(options.timeoutMs ?? 30_000);
	const external: string[] = [];
	context.on('requestfailed', (request) => {
		const url = new URL(request.url());
		if (/^(http|https|ws|wss):$/.test(url.protocol) && !LOOPBACK.has(url.hostname)) external.push(request.url());
	});
	const version = context.browser()?.version() ?? 'unknown';
	console.log(`[e2e] Chromium ${version} launched in ${(launchMs / 1000).toFixed(2)} s`);
	// The persistent context opens with one blank page: reuse it for the first newPage().
	let blank: Page | undefined = context.pages()[0];
	let closing: Promise<void> | undefined;
	return {
		context,
		version,
		launchMs,
		external,
		async newPage() {
			const page = blank ?? (await context.newPage());
			blank = undefined;
			return page;
		},
		close: () =>
			(closing ??= (async () => {
				await context.close().catch(() => {});
				rmSync(userDataDir, { recursive: true, force: true });
			})()),
	};
}

/** Signs into the n8n editor at `n8n.baseUrl` through its sign-in form and waits for the home page. */
export async function loginToEditor(page: Page, n8n: { baseUrl: string }, user = EDITOR_OWNER): Promise<void> {
	await page.goto(`${n8n.baseUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(user.email);
	await page.locator('input[name="password"]').fill(user.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	// The editor's shell (sidebar) is there once the login went through.
	await page.getByTestId('main-sidebar-settings').waitFor();
}

/** Saves a PNG of the page into the artifacts folder as `<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
	const folder = artifactsDir();
	mkdirSync(folder, { recursive: true });
	const path = join(folder, `${name.replace(/[^\w.-]+/g, '-')}.png`);
	// Animations finished, not caught half-way through a fade-in.
	await page.screenshot({ path, fullPage: options.fullPage ?? false, animations: 'disabled' });
	return path;
}

/** Runs `work`; if it throws, saves a screenshot `failed-<name>.png` of the page first. */
export async function withFailureScreenshot<T>(page: Page, name: string, work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		if (!page.isClosed()) {
			const path = await screenshot(page, `failed-${name}`, { fullPage: true }).catch(() => undefined);
			if (path) console.log(`[e2e] screenshot of the failure: ${path}`);
		}
		throw error;
	}
}
