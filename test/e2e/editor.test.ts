// The package in n8n's editor, in a real browser: Debian's Chromium (driven by playwright-core)
// against a real n8n 2.41.1 with the package installed from its tarball and the demo content
// (test/demo: the demo API, one credential and one workflow per method).
//
//   - nodes panel: "Configured API Call" and "OpenAI Models" are found by search, with their
//     descriptions and icons (the image loads; the light and dark SVGs answer 200);
//   - every credential type of the package (credentials/*.credentials.ts): the "create credential"
//     form shows exactly the fields its properties give with default values (labels, order,
//     required marks), secrets are masked, and the docs link points at a README section;
//   - a demo workflow runs from the editor's "Execute workflow" button and Configured API Call's
//     output panel shows the demo API's answer; OpenAI Models lists the demo models the same way.
//
// Screenshots of every step land in test/artifacts/ (E2E_ARTIFACTS). The README's pictures,
// test/screenshots/configured-api-call.png and credential-form.png, are written when they are missing,
// or always with DOCS_SCREENSHOTS=1 (they hold the time of the run, so they would change at
// every run otherwise).
//
// Needs Debian's Chromium (`apt-get install -y chromium`) and dist/ (npm run build).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as NW from 'n8n-workflow';
import type { INodeProperties } from 'n8n-workflow';
import { DEMO_OWNER, startDemo, type Demo } from '../demo/demo.ts';
import type { DemoEntry } from '../demo/setup.ts';
import { launchBrowser, loginToEditor, screenshot, withFailureScreenshot, type E2eBrowser, type Page } from './browser.ts';
import { repoRoot } from './n8n.ts';
import { Stopwatch } from './stopwatch.ts';

const require = createRequire(import.meta.url);
// n8n-workflow's ESM build does not load under Node's native ESM: its CommonJS build does.
const nw = require('n8n-workflow') as typeof NW;

const PACKAGE = 'n8n-nodes-api-connector';
const DOCS_PREFIX = `https://www.npmjs.com/package/${PACKAGE}#`;
/** README-sized pictures. */
const VIEWPORT = { width: 1280, height: 800 };
const docsDir = join(repoRoot, 'test', 'screenshots');

type IconUrl = string | { light: string; dark: string };

// What the page functions below use of the browser's DOM (these tests compile without the DOM library).
interface DomElement {
	innerText: string;
	type?: string;
	complete?: boolean;
	naturalWidth?: number;
	getAttribute(name: string): string | null;
	querySelector(selectors: string): DomElement | null;
	querySelectorAll(selectors: string): Iterable<DomElement>;
	addEventListener(event: string, listener: () => void, options?: { once?: boolean }): void;
}
declare function getComputedStyle(element: DomElement): { getPropertyValue(property: string): string };

interface CredentialTypeJson {
	name: string;
	displayName: string;
	documentationUrl?: string;
	extends?: string[];
	iconUrl?: IconUrl;
	properties: INodeProperties[];
}

interface NodeTypeJson {
	name: string;
	displayName: string;
	description: string;
	subtitle?: string;
	iconUrl?: IconUrl;
	properties: INodeProperties[];
	codex?: { categories?: string[]; subcategories?: Record<string, string[]> };
}

/** The package's credential types, from credentials/*.credentials.ts. */
const CREDENTIALS = readdirSync(join(repoRoot, 'credentials'))
	.filter((file) => file.endsWith('.credentials.ts'))
	.sort()
	.map((file) => {
		const className = file.replace(/\.credentials\.ts$/, '');
		return { file, className, type: className[0].toLowerCase() + className.slice(1) };
	});

/** The package's nodes, by their names in the editor. */
const NODES = [
	{ displayName: 'Configured API Call', type: `${PACKAGE}.configuredApiCall` },
	{ displayName: 'OpenAI Models', type: `${PACKAGE}.openAiModels` },
];

let browser: E2eBrowser;
let page: Page;
let demo: Demo;
let credentialTypes: Map<string, CredentialTypeJson>;
/** The credential classes as the package declares them (dist/, which the tested tarball is packed from). */
const declaredCredentials = new Map<string, { name: string; displayName: string; properties: INodeProperties[] }>();
let nodeTypes: NodeTypeJson[];
const watch = new Stopwatch('editor.test.ts');

/** GET a static file of the editor (types, icons) with the owner's session, as the editor does. */
async function editorFile(path: string): Promise<Response> {
	return await fetch(`${demo.n8n.baseUrl}/${path.replace(/^\//, '')}`, { headers: { cookie: demo.n8n.cookie } });
}

const lightIcon = (icon: IconUrl | undefined) => (typeof icon === 'string' ? icon : icon?.light);

/** Saves a README picture into test/screenshots/ (see the header: when missing, or with DOCS_SCREENSHOTS=1). */
function toDocs(artifact: string, name: string): string | undefined {
	const target = join(docsDir, name);
	if (existsSync(target) && process.env.DOCS_SCREENSHOTS !== '1') return undefined;
	mkdirSync(docsDir, { recursive: true });
	copyFileSync(artifact, target);
	console.log(`[e2e] README picture written: ${target}`);
	return target;
}

/** Waits until an <img> finished loading and returns its natural width (0: a broken image). */
async function imageWidth(locator: ReturnType<Page['locator']>): Promise<number> {
	return await locator.evaluate(async (img: DomElement) => {
		if (!img.complete) {
			await new Promise<void>((resolve) => {
				img.addEventListener('load', resolve, { once: true });
				img.addEventListener('error', resolve, { once: true });
			});
		}
		return img.naturalWidth ?? 0;
	});
}

/** Moves the mouse off the forms: a hovered field shows its Fixed/Expression switch. */
async function restMouse() {
	await page.mouse.move(VIEWPORT.width / 2, page.viewportSize()!.height - 5);
}

/** Closes n8n's toasts ("Workflow executed successfully"), which would cover the pictures. */
async function closeToasts() {
	for (const button of await page.locator('.el-notification__closeBtn').all()) await button.click().catch(() => {});
	await page
		.locator('.el-notification')
		.first()
		.waitFor({ state: 'detached', timeout: 5_000 })
		.catch(() => {});
}

/** GitHub's (and npm's) anchor of a Markdown heading. */
const slug = (heading: string) =>
	heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');

const readmeAnchors = () =>
	new Set(
		readFileSync(join(repoRoot, 'README.md'), 'utf8')
			.split('\n')
			.filter((line) => /^#{1,6}\s/.test(line))
			.map((line) => slug(line.replace(/^#+\s*/, ''))),
	);

before(
	async () => {
		// The browser first: a missing Chromium fails the file at once, before n8n starts.
		browser = await watch.time('Chromium launch', () => launchBrowser({ viewport: VIEWPORT }));
		page = await browser.newPage();
		// Read with the packing below: dist/ may be rebuilt while this file runs.
		for (const credential of CREDENTIALS) {
			const file = join(repoRoot, 'dist', 'credentials', credential.file.replace(/\.ts$/, '.js'));
			assert.ok(existsSync(file), `${file} is missing: run npm run build`);
			const declared = new (require(file)[credential.className])();
			declaredCredentials.set(declared.name, declared);
		}
		demo = await watch.time('demo start (npm pack, n8n, demo API, demo content)', () =>
			startDemo({ log: (line) => console.log(`[demo] ${line}`) }),
		);
		const types = (await (await editorFile('types/credentials.json')).json()) as CredentialTypeJson[];
		credentialTypes = new Map(types.map((type) => [type.name, type]));
		nodeTypes = (await (await editorFile('types/nodes.json')).json()) as NodeTypeJson[];
		await watch.time('editor sign-in', () => loginToEditor(page, demo.n8n, DEMO_OWNER));
	},
	{ timeout: 20 * 60_000 },
);

after(async () => {
	await browser?.close();
	await demo?.stop();
	if (browser?.external.length) console.log(`[e2e] the browser was kept from reaching: ${[...new Set(browser.external)].join(', ')}`);
	watch.print();
});

describe('nodes', () => {
	test("the nodes' light and dark icons answer 200 with SVG", async () => {
		for (const node of NODES) {
			const type = nodeTypes.find((t) => t.name === node.type);
			assert.ok(type, `${node.type} is not in /types/nodes.json`);
			assert.equal(type.displayName, node.displayName);
			assert.equal(typeof type.iconUrl, 'object', `${node.type}: a light and a dark icon`);
			for (const [theme, url] of Object.entries(type.iconUrl as object) as [string, string][]) {
				const response = await editorFile(url);
				assert.equal(response.status, 200, `${node.type} ${theme} icon ${url}`);
				assert.match(response.headers.get('content-type') ?? '', /^image\/svg\+xml/, `${node.type} ${theme} icon ${url}`);
				assert.match(await response.text(), /<svg[\s>]/, `${node.type} ${theme} icon ${url}`);
			}
		}
	});

	/** A new workflow with a Manual Trigger, and the nodes panel open on "What happens next?". */
	async function openNodesPanel() {
		await page.goto(`${demo.n8n.baseUrl}/workflow/new`);
		await page.getByTestId('canvas-add-button').click();
		const search = page.getByTestId('node-creator-search-bar');
		await search.fill('Manual Trigger');
		await page.getByTestId('node-creator-item-name').getByText('Manual Trigger', { exact: true }).click();
		await page.getByTestId('canvas-node').first().waitFor();
		await page.getByTestId('node-creator-plus-button').click();
		await page.getByTestId('nodes-list-header').getByText('What happens next?').waitFor();
		return search;
	}

	for (const node of NODES) {
		test(`the nodes panel finds "${node.displayName}" by search, with its icon and description`, { timeout: 120_000 }, async () => {
			const type = nodeTypes.find((t) => t.name === node.type);
			assert.ok(type, `${node.type} is not in /types/nodes.json`);
			await watch.time(`nodes panel: ${node.displayName}`, () =>
				withFailureScreenshot(page, `nodes-panel-${node.displayName}`, async () => {
					const search = await openNodesPanel();
					await search.fill(node.displayName);
					const results = page.getByTestId('node-creator');
					const item = page
						.getByTestId('item-iterator-item')
						.filter({ has: page.getByTestId('node-creator-item-name').getByText(node.displayName, { exact: true }) });
					// The node's entry, or n8n's "No results" (the search answers at once, without a request).
					await item.or(page.getByTestId('node-creator-no-results')).first().waitFor();
					if ((await item.count()) === 0) {
						const shown = (await results.innerText()).replace(/\s*\n\s*/g, ' | ');
						// n8n's node creator (filterOutAiNodes) drops them when the canvas holds no AI node.
						const codex = JSON.stringify(type.codex ?? {});
						assert.fail(
							`searching "${node.displayName}" in the nodes panel does not list the node; the panel shows: ${shown}. ` +
								`Its codex is ${codex}: n8n's search leaves out nodes of the category "AI" unless their AI subcategories include "Root Nodes".`,
						);
					}
					assert.equal(await item.count(), 1, `one result named ${node.displayName}`);
					assert.equal((await item.getByTestId('node-creator-item-description').innerText()).trim(), type.description);
					const icon = item.locator('img').first();
					assert.equal(await icon.getAttribute('src'), `/${lightIcon(type.iconUrl)}`);
					assert.ok((await imageWidth(icon)) > 0, `${node.displayName}: the icon in the nodes panel is a broken image`);
					await screenshot(page, `nodes-panel-${node.displayName}`);
				}),
			);
		});
	}

	test('"Action in an app" lists OpenAI Models with its actions', { timeout: 120_000 }, async () => {
		const type = nodeTypes.find((t) => t.name === `${PACKAGE}.openAiModels`);
		assert.ok(type);
		const operations = type.properties.find((p) => p.name === 'operation')?.options ?? [];
		const actions = operations.flatMap((o) => ('action' in o && typeof o.action === 'string' ? [o.action] : [])).sort();
		assert.ok(actions.length > 0, 'OpenAI Models has operations with action names');
		await watch.time('nodes panel: OpenAI Models under "Action in an app"', () =>
			withFailureScreenshot(page, 'nodes-panel-openai-models-actions', async () => {
				await openNodesPanel();
				await page.getByTestId('node-creator').getByText('Action in an app', { exact: true }).click();
				const name = page.getByTestId('node-creator-item-name').getByText('OpenAI Models', { exact: true });
				await name.scrollIntoViewIfNeeded();
				await name.click();
				const panel = page.getByTestId('node-creator');
				await panel.getByText('Node details', { exact: true }).waitFor();
				await panel.getByText(actions[0], { exact: true }).waitFor();
				assert.ok((await panel.innerText()).includes(type.description), "the details show the node's description");
				const shown = (await panel.getByTestId('node-creator-item-name').allInnerTexts()).map((text) => text.trim());
				assert.deepEqual(shown.filter((text) => actions.includes(text)).sort(), actions, `actions shown: ${shown.join(', ')}`);
				const icon = panel.locator(`img[src="/${lightIcon(type.iconUrl)}"]`).first();
				assert.ok((await imageWidth(icon)) > 0, 'the OpenAI Models icon is a broken image');
				await screenshot(page, 'nodes-panel-openai-models-actions');
			}),
		);
	});
});

interface ExpectedField {
	name: string;
	label: string;
	type: string;
	required: boolean;
	secret: boolean;
	/** Declared by the package (not added by n8n, not inherited from n8n's oAuth2Api). */
	own: boolean;
	property: INodeProperties;
}

/** The properties the editor's credential form works with: the parents' (`extends`) merged with the type's own. */
function formProperties(name: string): INodeProperties[] {
	const type = credentialTypes.get(name);
	assert.ok(type, `credential type ${name} is not in /types/credentials.json`);
	if (!type.extends) return type.properties;
	// As the editor (CredentialEdit's getCredentialProperties): the parents' properties first
	// (doNotInherit ones dropped), the type's own ones replacing them by name or appended.
	const merged: INodeProperties[] = [];
	for (const parent of type.extends) nw.NodeHelpers.mergeNodeProperties(merged, formProperties(parent));
	nw.NodeHelpers.mergeNodeProperties(merged, type.properties);
	return merged;
}

/** The fields a new credential's form shows: every property's default, then n8n's display rules. */
function expectedFields(name: string, own: Set<string>): ExpectedField[] {
	const properties = formProperties(name);
	const values = Object.fromEntries(properties.map((p) => [p.name, p.default])) as NW.INodeParameters;
	return properties
		.filter((p) => p.type !== 'hidden' && (p.displayOptions === undefined || nw.NodeHelpers.displayParameter(values, p, null, null)))
		.map((p) => ({
			name: p.name,
			label: p.displayName,
			type: p.type,
			required: p.required === true,
			secret: p.typeOptions?.password === true,
			own: own.has(p.name),
			property: p,
		}));
}

interface RenderedField {
	/** The parameter's name (its container's data-test-id); null for a notice. */
	name: string | null;
	label: string;
	required: boolean;
	/** Text inputs and text areas of the field, and how many of them hide what is typed. */
	inputs: number;
	masked: number;
	text: string;
}

/** Reads the open credential form, field by field, as the user sees it. */
async function renderedFields(): Promise<RenderedField[]> {
	const forms = page.getByTestId('editCredential-modal').getByTestId('credential-connection-parameter');
	return await forms.evaluateAll((elements: DomElement[]) =>
		elements.map((form) => {
			const title = form.querySelector('label.n8n-input-label > div')?.innerText.trim() ?? '';
			const inputs = [...form.querySelectorAll('[data-test-id="parameter-input-field"]')];
			// Single-line secrets are <input type="password">; multi-line ones a textarea masked by CSS.
			const isMasked = (input: DomElement) =>
				input.type === 'password' || !['', 'none'].includes(getComputedStyle(input).getPropertyValue('-webkit-text-security'));
			return {
				name: form.querySelector('[data-test-id]')?.getAttribute('data-test-id') ?? null,
				label: title.replace(/\s*\*$/, ''),
				required: /\s\*$/.test(title),
				inputs: inputs.length,
				masked: inputs.filter(isMasked).length,
				text: form.innerText.trim(),
			};
		}),
	);
}

/** Opens the editor's "create credential" modal for a type, as a user does from the Overview page. */
async function openNewCredential(displayName: string) {
	await page.goto(`${demo.n8n.baseUrl}/home/credentials/create`);
	await page.getByTestId('new-credential-type-select').click();
	await page.keyboard.type(displayName);
	await page
		.getByTestId('new-credential-type-select-option')
		.filter({ has: page.getByText(displayName, { exact: true }) })
		.click();
	await page.getByTestId('new-credential-type-button').click();
	const modal = page.getByTestId('editCredential-modal');
	await modal.getByTestId('credential-connection-parameter').first().waitFor();
	return modal;
}

describe('credential forms', () => {
	test('the credential types in n8n are those of credentials/*.credentials.ts', () => {
		const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { n8n: { credentials: string[] } };
		assert.equal(CREDENTIALS.length, manifest.n8n.credentials.length, 'every credential file is listed in package.json');
		const packageTypes = [...credentialTypes.values()]
			.filter((type) => lightIcon(type.iconUrl)?.startsWith(`icons/${PACKAGE}/`) || type.documentationUrl?.startsWith(DOCS_PREFIX))
			.map((type) => type.name)
			.sort();
		assert.deepEqual(packageTypes, CREDENTIALS.map((c) => c.type).sort());
	});

	const anchors = readmeAnchors();
	const summary: string[] = [];
	after(() => {
		if (summary.length)
			console.log(`[e2e] credential forms (* required, (secret) masked, [n8n] not declared by the package):\n${summary.join('\n')}`);
	});

	for (const credential of CREDENTIALS) {
		test(
			`${credential.type}: the create form shows its fields, masks its secrets, links its README section`,
			{ timeout: 120_000 },
			async () => {
				const type = credentialTypes.get(credential.type);
				assert.ok(type, `${credential.type} is not in /types/credentials.json`);
				const declared = declaredCredentials.get(credential.type);
				assert.ok(declared, `dist/credentials/${credential.className}.credentials.js does not declare ${credential.type}`);
				assert.equal(declared.displayName, type.displayName);
				const expected = expectedFields(credential.type, new Set(declared.properties.map((p) => p.name)));

				await watch.time(`credential form: ${credential.type}`, () =>
					withFailureScreenshot(page, `credential-form-${credential.type}`, async () => {
						const modal = await openNewCredential(type.displayName);
						const fields = await renderedFields();
						const named = fields.filter((f) => f.name !== null);

						// The fields, in order, by their labels; notices by their text.
						assert.deepEqual(
							named.map((f) => `${f.name}: ${f.label}`),
							expected.filter((f) => f.type !== 'notice').map((f) => `${f.name}: ${f.label}`),
						);
						const notices = fields.filter((f) => f.name === null).map((f) => f.text);
						assert.deepEqual(
							notices,
							expected.filter((f) => f.type === 'notice').map((f) => f.label),
						);
						for (const field of expected.filter((f) => f.type !== 'notice')) {
							const shown = named.find((f) => f.name === field.name)!;
							assert.equal(shown.required, field.required, `${field.label}: required mark`);
							if (field.secret) {
								assert.ok(
									shown.inputs > 0 && shown.masked === shown.inputs,
									`${field.label} is a secret: it must be masked (${shown.masked} of ${shown.inputs} inputs are)`,
								);
							} else {
								assert.equal(shown.masked, 0, `${field.label} is no secret: it must not be masked`);
							}
						}

						// The docs link: the credential's README section on npm.
						const docs = modal.getByTestId('node-credentials-config-container').getByRole('link', { name: 'docs', exact: true });
						const href = await docs.getAttribute('href');
						assert.equal(href, type.documentationUrl);
						assert.ok(href?.startsWith(DOCS_PREFIX), `docs link ${href}`);
						const anchor = href.slice(DOCS_PREFIX.length);
						assert.ok(anchors.has(anchor), `docs link #${anchor}: README.md has no such heading`);

						// The icon in the modal's header.
						const icon = modal.locator(`img[src="/${lightIcon(type.iconUrl)}"]`).first();
						assert.ok((await imageWidth(icon)) > 0, 'the credential icon is a broken image');
						for (const [theme, url] of Object.entries(type.iconUrl as object) as [string, string][]) {
							const response = await editorFile(url);
							assert.equal(response.status, 200, `${theme} icon ${url}`);
							assert.match(response.headers.get('content-type') ?? '', /^image\/svg\+xml/, `${theme} icon ${url}`);
						}

						// Authorization code: n8n's own OAuth2 block, with the callback URL to register.
						if (type.extends?.includes('oAuth2Api')) {
							const config = modal.getByTestId('node-credentials-config-container');
							await config.getByText('OAuth Redirect URL', { exact: true }).waitFor();
							assert.ok(
								(await config.innerText()).includes(`${demo.n8n.baseUrl}/rest/oauth2-credential/callback`),
								'the OAuth redirect URL is shown',
							);
						}

						const defaultName = (await modal.getByTestId('credential-name').getAttribute('title')) ?? '';
						await restMouse();
						const top = await screenshot(page, `credential-form-${credential.type}`);
						if (credential.type === 'apiConnectorHeaderKeyApi') toDocs(top, 'credential-form.png');
						// The rest of a long form, a screen at a time (artifacts): -2, -3 ...
						const last = modal.getByTestId('credential-connection-parameter').last();
						for (let part = 2; part <= 6; part++) {
							const box = await last.boundingBox();
							if (box && box.y + box.height <= VIEWPORT.height - 60) break;
							await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2);
							await page.mouse.wheel(0, VIEWPORT.height - 300);
							await page.waitForTimeout(300); // the wheel scrolls smoothly
							await restMouse();
							await screenshot(page, `credential-form-${credential.type}-${part}`);
						}

						// Secrets inside lists (Self-handled pairs, OpenAI extra headers, private values):
						// add one entry and look at its inputs.
						for (const field of expected.filter((f) => f.type === 'fixedCollection')) {
							const values = (field.property.options ?? []).flatMap((o) => ('values' in o ? (o.values as INodeProperties[]) : []));
							if (!values.some((v) => v.typeOptions?.password)) continue;
							const form = modal.getByTestId('credential-connection-parameter').filter({ has: page.getByTestId(field.name) });
							await form.getByRole('button', { name: field.property.placeholder ?? 'Add', exact: true }).click();
							for (const value of values) {
								const input = form.getByTestId(`parameter-input-${value.name}`).getByTestId('parameter-input-field');
								const masked = await input.evaluate(
									(e: DomElement) =>
										e.type === 'password' || !['', 'none'].includes(getComputedStyle(e).getPropertyValue('-webkit-text-security')),
								);
								assert.equal(masked, value.typeOptions?.password === true, `${field.label} → ${value.displayName}: masked`);
							}
						}

						summary.push(
							`  ${type.displayName} (default name "${defaultName}"):\n    ` +
								expected
									.map(
										(f) =>
											`${f.type === 'notice' ? '(notice)' : f.label}${f.required ? '*' : ''}${f.secret ? ' (secret)' : ''}${f.own ? '' : ' [n8n]'}`,
									)
									.join(', '),
						);
					}),
				);
			},
		);
	}
});

describe('demo workflows run from the editor', () => {
	const entry = (method: string): DemoEntry => {
		const found = demo.entries.find((e) => e.method.method === method);
		assert.ok(found, `no demo entry "${method}"`);
		return found;
	};

	/** Opens the workflow, presses "Execute workflow", returns the execution as n8n stored it. */
	async function runInEditor(workflowId: string, nodeName: string) {
		await page.goto(`${demo.n8n.baseUrl}/workflow/${workflowId}`);
		const node = page.getByTestId('canvas-node').filter({ hasText: nodeName });
		await node.waitFor();
		const started = page.waitForResponse(
			(r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/rest/workflows/${workflowId}/run`,
		);
		await page.getByTestId('execute-workflow-button').click();
		const response = await started;
		assert.equal(response.status(), 200, `POST /rest/workflows/${workflowId}/run answered ${response.status()}`);
		const executionId = String(((await response.json()) as { data?: { executionId?: string } }).data?.executionId ?? '');
		assert.ok(executionId, 'the run started an execution');
		const execution = await demo.n8n.waitForExecution(executionId);
		await page.getByTestId('canvas-node-status-success').nth(1).waitFor();
		return { node, execution };
	}

	/** Opens the node's panel with its output as JSON, the main panel moved left for a wider output. */
	async function openOutput(node: ReturnType<Page['locator']>) {
		await node.dblclick();
		const output = page.getByTestId('output-panel');
		await output.waitFor();
		await output.getByTestId('radio-button-json').click();
		await closeToasts();
		const handle = page.getByTestId('panel-drag-button');
		const box = await handle.boundingBox();
		if (box) {
			await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
			await page.mouse.down();
			await page.mouse.move(box.x - 200, box.y + box.height / 2, { steps: 10 });
			await page.mouse.up();
		}
		await restMouse();
		return output;
	}

	test('Header key: "Execute workflow" runs Configured API Call and its output shows the API\'s answer', { timeout: 120_000 }, async () => {
		const { workflowId } = entry('Header key');
		await watch.time('demo run: Header key', () =>
			withFailureScreenshot(page, 'configured-api-call-run', async () => {
				const { node, execution } = await runInEditor(workflowId, 'Call the Demo API');
				// On the canvas: the node's icon and its subtitle (method and URL).
				assert.ok((await node.innerText()).includes('GET /api/demo'), `canvas node shows ${JSON.stringify(await node.innerText())}`);
				const type = nodeTypes.find((t) => t.name === `${PACKAGE}.configuredApiCall`)!;
				assert.ok((await imageWidth(node.locator(`img[src="/${lightIcon(type.iconUrl)}"]`).first())) > 0, 'canvas icon');

				// A manual run from the editor, Environment "Automatic": the development key.
				assert.equal(execution.status, 'success', JSON.stringify(execution.error ?? execution.nodes));
				assert.equal(execution.mode, 'manual');
				const [answer] = execution.nodes['Call the Demo API'].json;
				assert.deepEqual(
					{ ok: answer?.ok, method: answer?.method, via: answer?.via, key: answer?.key },
					{ ok: true, method: 'Header key', via: 'X-API-Key header', key: 'development' },
				);

				const output = await openOutput(node);
				await output.getByText('The demo API accepted the call').waitFor();
				const text = await output.innerText();
				for (const value of ['X-API-Key header', 'development', answer.at])
					assert.ok(text.includes(value), `the output panel shows ${value}`);
				assert.match(text, /1 item/);
				const picture = await screenshot(page, 'configured-api-call-run');
				toDocs(picture, 'configured-api-call.png');

				// The Docs link of the node's panel. n8n appends ?utm_… to the codex URL (after its #fragment).
				const docs = await page.getByTestId('ndv').getByRole('link', { name: 'Docs' }).getAttribute('href');
				assert.ok(docs?.startsWith(`${DOCS_PREFIX}configured-api-call`), `Docs link ${docs}`);
				console.log(`[e2e] the node panel's Docs link: ${docs}`);
			}),
		);
	});

	test('OpenAI: "Execute workflow" runs OpenAI Models and its output lists the models', { timeout: 120_000 }, async () => {
		const { workflowId } = entry('OpenAI');
		await watch.time('demo run: OpenAI', () =>
			withFailureScreenshot(page, 'openai-models-run', async () => {
				const { node, execution } = await runInEditor(workflowId, 'List Models');
				assert.ok((await node.innerText()).includes('list: model'), `canvas node shows ${JSON.stringify(await node.innerText())}`);
				const type = nodeTypes.find((t) => t.name === `${PACKAGE}.openAiModels`)!;
				assert.ok((await imageWidth(node.locator(`img[src="/${lightIcon(type.iconUrl)}"]`).first())) > 0, 'canvas icon');

				assert.equal(execution.status, 'success', JSON.stringify(execution.error ?? execution.nodes));
				const models = execution.nodes['List Models'].json as { id: string }[];
				assert.ok(models.length > 1, `${models.length} models`);
				const output = await openOutput(node);
				await output.getByText(models[0].id).first().waitFor();
				assert.match(await output.innerText(), new RegExp(`${models.length} items`));
				await screenshot(page, 'openai-models-run');
			}),
		);
	});
});
