// `npm run bench`: speed inside a real n8n 2.41.1, in one execution per measurement, 1000 items
// against one local keep-alive server. Compares n8n's HTTP Request node (with n8n's own header
// credential), Configured API Call (with this package's header key) and the floor: a bench-only
// node that loops helpers.httpRequest (scripts/bench/nodes, loaded through N8N_CUSTOM_EXTENSIONS).
// Then counts token requests of a password-grant credential over 10 executions of 1000 items.
// It prints figures; it asserts nothing. BENCH_PROFILE=<path> records a CPU profile of n8n while
// one path runs sequentially instead, and prints where the time goes.
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startOAuth2Server } from '../../test/rig/index.ts';
import { ensureN8n, packPackage, startN8n, type N8nInstance } from '../../test/e2e/n8n.ts';
import { callNode, chain, manualTrigger } from '../../test/e2e/workflows.ts';
import { helpOnRequest } from '../help.mjs';

helpOnRequest(`
npm run bench
  Speed inside a real n8n: n8n's HTTP Request node, Configured API Call and the floor of n8n's
  network layer, 1000 items per execution, medians of interleaved rounds; then token requests of
  a password-grant credential. Prints figures, asserts nothing.
  Compares each static credential of this package (header key, query key, Basic) with n8n's own
  equivalent in n8n's HTTP Request node.
  Environment: BENCH_ITEMS (1000), BENCH_REPEATS (5),
    BENCH_ONLY=http (only the HTTP Request node comparisons, no token table),
    BENCH_PROFILE=<path> (a CPU profile of n8n while one path runs sequentially; 1 = call;
    paths: call, http-header, http-header-ours, http-query, http-query-ours, http-basic, http-basic-ours).
`);

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const ITEMS = Number(process.env.BENCH_ITEMS ?? 1000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const PROFILE = process.env.BENCH_PROFILE === '1' ? 'call' : process.env.BENCH_PROFILE;
const ONLY_HTTP = process.env.BENCH_ONLY === 'http';
const INSPECT_PORT = 9329;

const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

// The API: small JSON, keep-alive, checks the key (header, query or Basic) like a real API would.
const BASIC = `Basic ${Buffer.from('bench:bench-pass').toString('base64')}`;
const api = createServer((req, res) => {
	const ok =
		req.headers['x-api-key'] === 'bench-key' ||
		req.headers.authorization === BASIC ||
		req.url?.includes('api_key=bench-key') ||
		req.url?.startsWith('/open');
	res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', connection: 'keep-alive' });
	res.end(ok ? '{"ok":true,"data":{"id":42,"name":"bench"}}' : '{"error":"unauthorized"}');
});
api.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;

await ensureN8n();
const n8n: N8nInstance = await startN8n({
	tarball: packPackage(),
	env: {
		N8N_CUSTOM_EXTENSIONS: join(here, 'nodes'),
		N8N_LOG_LEVEL: 'warn',
		...(PROFILE ? { NODE_OPTIONS: `--inspect=127.0.0.1:${INSPECT_PORT}` } : {}),
	},
});

const items = { id: 'items', name: 'Items', type: 'CUSTOM.benchItems', typeVersion: 1, position: [200, 0], parameters: { count: ITEMS } };

interface Variant {
	key: string;
	label: string;
	inFlight: number;
	node: string;
	workflow: ReturnType<typeof chain>;
	id?: string;
	times: number[];
}

/** One execution of a variant: the node's own execution time per item. */
async function runOnce(variant: Variant): Promise<number> {
	const result = await n8n.runWorkflowManually(variant.id as string, { timeoutMs: 600_000 });
	if (result.status !== 'success')
		throw new Error(`${variant.label}: ${JSON.stringify(result.error ?? result.nodes[variant.node]?.error)}`);
	if (result.nodes[variant.node].json.length !== ITEMS)
		throw new Error(`${variant.label}: ${result.nodes[variant.node].json.length} items`);
	return result.raw.data.resultData.runData[variant.node].at(-1).executionTime / ITEMS;
}

/**
 * Runs every variant once to warm up, then REPEATS rounds in which each runs once, so that a
 * slow moment of the machine hits all of them alike. Returns the median per variant.
 */
async function measure(variants: Variant[]): Promise<void> {
	for (const variant of variants) {
		variant.id = await n8n.createWorkflow(variant.workflow);
		await runOnce(variant);
	}
	for (let round = 0; round < REPEATS; round++) {
		for (const variant of variants) variant.times.push(await runOnce(variant));
	}
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
	const ours = await n8n.createCredential({
		name: 'Bench header (package)',
		type: 'apiConnectorHeaderKeyApi',
		data: { headerName: 'X-API-Key', prefixFormat: 'plain', apiKey: 'bench-key', baseUrl: apiUrl, testUrl: '/me' },
	});
	// Each static credential of this package beside n8n's own equivalent, both in n8n's HTTP Request node.
	const pairs = [
		{
			kind: 'header',
			n8n: { type: 'httpHeaderAuth', data: { name: 'X-API-Key', value: 'bench-key' } },
			ours,
		},
		{
			kind: 'query',
			n8n: { type: 'httpQueryAuth', data: { name: 'api_key', value: 'bench-key' } },
			ours: await n8n.createCredential({
				name: 'Bench query (package)',
				type: 'apiConnectorQueryKeyApi',
				data: { parameterName: 'api_key', apiKey: 'bench-key', baseUrl: apiUrl, testUrl: '/me' },
			}),
		},
		{
			kind: 'basic',
			n8n: { type: 'httpBasicAuth', data: { user: 'bench', password: 'bench-pass' } },
			ours: await n8n.createCredential({
				name: 'Bench Basic (package)',
				type: 'apiConnectorBasicAuthApi',
				data: { username: 'bench', password: 'bench-pass', baseUrl: apiUrl, testUrl: '/me' },
			}),
		},
	];
	const httpRequestNode = (batch: number, parameters: object, type: string, credential: { id: string; name: string }) => ({
		id: 'http',
		name: 'HTTP Request',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [400, 0],
		parameters: { url: `${apiUrl}/data`, ...parameters, options: { batching: { batch: { batchSize: batch, batchInterval: 0 } } } },
		credentials: { [type]: { id: credential.id, name: credential.name } },
	});
	const httpVariants = async (inFlight: number): Promise<Variant[]> =>
		(
			await Promise.all(
				pairs.map(async (pair) => {
					const own = await n8n.createCredential({ name: `Bench ${pair.kind} (n8n)`, ...pair.n8n });
					return [
						{
							key: `http-${pair.kind}`,
							label: `n8n's HTTP Request node, n8n's ${pair.kind} credential`,
							inFlight,
							node: 'HTTP Request',
							workflow: chain(
								`http ${pair.kind} ${inFlight}`,
								manualTrigger(),
								items,
								httpRequestNode(inFlight, { authentication: 'genericCredentialType', genericAuthType: pair.n8n.type }, pair.n8n.type, own),
							),
							times: [],
						},
						{
							key: `http-${pair.kind}-ours`,
							label: `n8n's HTTP Request node, this package's ${pair.kind} credential`,
							inFlight,
							node: 'HTTP Request',
							workflow: chain(
								`http ${pair.kind} ours ${inFlight}`,
								manualTrigger(),
								items,
								httpRequestNode(
									inFlight,
									{ authentication: 'predefinedCredentialType', nodeCredentialType: pair.ours.type },
									pair.ours.type,
									pair.ours,
								),
							),
							times: [],
						},
						// n8n's own header credential (its authenticate is the object form) through the same
						// predefined-credential path of the HTTP Request node as ours: what that path costs.
						...(pair.kind === 'header'
							? [
									{
										key: 'http-header-predefined',
										label: "n8n's HTTP Request node, n8n's header credential as a predefined type",
										inFlight,
										node: 'HTTP Request',
										workflow: chain(
											`http header predefined ${inFlight}`,
											manualTrigger(),
											items,
											httpRequestNode(
												inFlight,
												{ authentication: 'predefinedCredentialType', nodeCredentialType: pair.n8n.type },
												pair.n8n.type,
												own,
											),
										),
										times: [],
									},
								]
							: []),
					];
				}),
			)
		).flat();
	const floor = (concurrency: number) => ({
		id: 'floor',
		name: 'Floor',
		type: 'CUSTOM.benchFloor',
		typeVersion: 1,
		position: [400, 0],
		parameters: { url: `${apiUrl}/open`, concurrency },
	});
	const callVariant = (inFlight: number): Variant => ({
		key: 'call',
		label: 'Configured API Call, header key',
		inFlight,
		node: 'Call',
		workflow: chain(
			`call ${inFlight}`,
			manualTrigger(),
			items,
			callNode({ url: '/data', environment: 'live', options: { concurrency: inFlight } }, ours),
		),
		times: [],
	});
	if (PROFILE) {
		const variant = [callVariant(1), ...(await httpVariants(1))].find((v) => v.key === PROFILE);
		if (!variant) throw new Error(`BENCH_PROFILE=${PROFILE}: no such path (see npm run bench -- --help)`);
		await measure([variant]); // warm-up, outside the profile
		const profiler = await startProfiler(INSPECT_PORT);
		const times: number[] = [];
		for (let run = 0; run < 3; run++) times.push(await runOnce(variant));
		const ms = median(times);
		const profile = await profiler.stop();
		console.log(`\n${variant.label}, sequential: ${ms.toFixed(3)} ms per item while profiling`);
		summariseProfile(profile);
		await n8n.stop();
		api.close();
		process.exit(0);
	}
	const variants: Variant[] = [];
	for (const inFlight of [1, 8]) {
		if (!ONLY_HTTP) {
			variants.push(
				{
					key: 'floor',
					label: 'helpers.httpRequest loop (floor)',
					inFlight,
					node: 'Floor',
					workflow: chain(`floor ${inFlight}`, manualTrigger(), items, floor(inFlight)),
					times: [],
				},
				callVariant(inFlight),
			);
		}
		variants.push(...(await httpVariants(inFlight)));
	}
	await measure(variants);
	console.log(`\nPer item, ${ITEMS} items, median of ${REPEATS} rounds after a warm-up (n8n 2.41.1, Node ${process.versions.node}):\n`);
	console.log("| Path | In flight | ms per item (median) | range | vs floor | vs n8n's own credential in the HTTP Request node |");
	console.log('|---|---|---|---|---|---|');
	const find = (inFlight: number, key: string) => {
		const variant = variants.find((v) => v.inFlight === inFlight && v.key === key);
		return variant && median(variant.times);
	};
	for (const variant of variants) {
		const ms = median(variant.times);
		const floorMs = find(variant.inFlight, 'floor');
		// Ours against n8n's equivalent; Configured API Call against n8n's header credential.
		const ownKey = variant.key === 'call' ? 'http-header' : variant.key.replace(/-(ours|predefined)$/, '');
		const ownMs = ownKey === variant.key ? undefined : find(variant.inFlight, ownKey);
		const range = `${Math.min(...variant.times).toFixed(3)}-${Math.max(...variant.times).toFixed(3)}`;
		const percent = (value: number | undefined) => (value === undefined ? '' : `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)}%`);
		console.log(
			`| ${variant.label} | ${variant.inFlight} | ${ms.toFixed(3)} | ${range} | ${percent(floorMs && ms / floorMs - 1)} | ${percent(ownMs && ms / ownMs - 1)} |`,
		);
	}
	if (ONLY_HTTP) {
		await n8n.stop();
		api.close();
		process.exit(0);
	}
	console.log(
		`\nSequential HTTP Request node ÷ Configured API Call with 8 in flight: ${(find(1, 'http-header')! / find(8, 'call')!).toFixed(1)}x`,
	);

	// Token requests: 10 executions of ITEMS items, token lifetimes of 1 hour and of 5 s.
	console.log(`\nToken requests of a password-grant credential, 10 executions of ${ITEMS} items, 8 in flight:\n`);
	console.log('| Token lifetime | Token requests | API calls | Refused calls (401) | Duration |');
	console.log('|---|---|---|---|---|');
	for (const lifetime of [3600, 5]) {
		const auth = await startOAuth2Server({
			clients: [{ id: 'bench', secret: 'bench-secret' }],
			users: [{ username: 'bench', password: 'bench-pass' }],
			lifetime,
		});
		try {
			const credential = await n8n.createCredential({
				name: `Bench token ${lifetime}`,
				type: 'apiConnectorPasswordGrantOAuth2Api',
				data: {
					tokenUrl: auth.tokenUrl,
					username: 'bench',
					password: 'bench-pass',
					clientId: 'bench',
					clientSecret: 'bench-secret',
					baseUrl: auth.url,
					testUrl: '/api/me',
				},
			});
			const id = await n8n.createWorkflow(
				chain(`tokens ${lifetime}`, manualTrigger(), items, callNode({ url: '/api/me', options: { concurrency: 8 } }, credential)),
			);
			const started = Date.now();
			for (let run = 0; run < 10; run++) {
				const result = await n8n.runWorkflowManually(id, { timeoutMs: 600_000 });
				if (result.status !== 'success') throw new Error(JSON.stringify(result.nodes.Call?.error));
			}
			const refused = auth.counts.api - 10 * ITEMS;
			console.log(
				`| ${lifetime} s | ${auth.counts.total} | ${auth.counts.api} | ${refused} | ${((Date.now() - started) / 1000).toFixed(1)} s |`,
			);
		} finally {
			await auth.close();
		}
		await sleep(100);
	}
} finally {
	await n8n.stop();
	api.close();
}

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string };
}

interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
}

/** Starts V8's CPU profiler in n8n's main process through its inspector (Chrome DevTools Protocol). */
async function startProfiler(port: number): Promise<{ stop(): Promise<Profile> }> {
	const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
	const socket = new WebSocket(target.webSocketDebuggerUrl);
	await new Promise(
		(resolve, reject) => socket.addEventListener('open', resolve, { once: true }) ?? socket.addEventListener('error', reject),
	);
	let id = 0;
	const send = (method: string, params: object = {}) =>
		new Promise<any>((resolve) => {
			const mine = ++id;
			const listen = (event: MessageEvent) => {
				const message = JSON.parse(String(event.data));
				if (message.id !== mine) return;
				socket.removeEventListener('message', listen);
				resolve(message.result);
			};
			socket.addEventListener('message', listen);
			socket.send(JSON.stringify({ id: mine, method, params }));
		});
	await send('Profiler.enable');
	await send('Profiler.setSamplingInterval', { interval: 200 });
	await send('Profiler.start');
	return {
		async stop() {
			const { profile } = await send('Profiler.stop');
			socket.close();
			return profile as Profile;
		},
	};
}

/** Where a script comes from: this package, an npm package, or Node.js itself. */
function origin(url: string): string {
	const last = url.lastIndexOf('node_modules/');
	if (last >= 0) {
		const name = /^((?:@[^/]+\/)?[^/]+)/.exec(url.slice(last + 'node_modules/'.length))?.[1] ?? url;
		return name === 'n8n-nodes-api-connector' ? 'this package' : name;
	}
	if (url.includes('/scripts/bench/')) return 'bench nodes';
	return url.startsWith('node:') || !url ? 'Node.js internals' : url;
}

/** Self time of n8n's main process by where the code comes from. */
function summariseProfile(profile: Profile) {
	const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
	const self = new Map<string, number>();
	const functions = new Map<string, number>();
	let busy = 0;
	profile.samples.forEach((sample, index) => {
		const { url, functionName } = byNode.get(sample)!.callFrame;
		const ms = (profile.timeDeltas[index] ?? 0) / 1000;
		if (functionName === '(idle)') return;
		const where = functionName.startsWith('(') ? functionName : origin(url);
		self.set(where, (self.get(where) ?? 0) + ms);
		const fn = `${functionName || '(anonymous)'}  ${url.split('/').slice(-3).join('/')}`;
		functions.set(fn, (functions.get(fn) ?? 0) + ms);
		busy += ms;
	});
	console.log(`\nWhere n8n's main process spent its CPU time during those executions (${(busy / 1000).toFixed(2)} s busy):\n`);
	console.log('| Code | Self time | Share |');
	console.log('|---|---|---|');
	for (const [where, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 16)) {
		console.log(`| ${where} | ${ms.toFixed(0)} ms | ${((ms / busy) * 100).toFixed(1)}% |`);
	}
	console.log('\nTop functions by self time:\n');
	for (const [fn, ms] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${fn}`);
}
