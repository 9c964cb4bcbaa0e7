// The demo API: one local server per kind of authentication the package speaks, built from the
// test rig. An OAuth2 server (password grant, custom token login, authorization code with a login
// page, JWT bearer grant), a plain API that checks the demo keys, Basic and the self-handled
// header, an mTLS API that wants a client certificate of the test PKI, an HTTP Digest (SHA-256)
// API, and an OpenAI-compatible `/v1/models`. All on 127.0.0.1.
//
// With `fixedPorts`, each server is reached through a fixed port (5690-5697 by default, a free one
// where that is taken), so that the URLs in the demo credentials stay the same from one start to
// the next. The rig's servers listen on random ports; a TCP forwarder in front of each gives the
// fixed one (TLS passes through it untouched, so mTLS is still checked by the rig).
import { generateKeyPairSync } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
	makePki,
	sendJson,
	startApiServer,
	startOAuth2Server,
	type ApiServer,
	type OAuth2Server,
	type Pki,
	type RecordedRequest,
} from '../rig/index.ts';
import { startDigestServer, type DigestServer } from '../rig/digestServer.ts';
import { OPENAI_KEYS, RIG_ORG, RIG_PROJECT, startOpenAiServer, type OpenAiServer } from '../rig/openaiServer.ts';
import { startSigV4Server, type SigV4Server } from '../rig/sigv4Server.ts';

/** The secrets of the demo. All made up; the servers accept nothing else. */
export const DEMO = {
	user: { username: 'demo', password: 'demo-password' },
	/** The confidential client of the password grant. */
	client: { id: 'demo-app', secret: 'demo-app-secret' },
	/** The client the authorization-code credential uses; its redirect URI is n8n's callback. */
	editorClient: { id: 'demo-editor-app', secret: 'demo-editor-app-secret' },
	headerKey: { live: 'demo-header-key-live', development: 'demo-header-key-dev' },
	queryKey: { live: 'demo-query-key-live', development: 'demo-query-key-dev' },
	appToken: 'demo-app-token',
	jwtIssuer: 'demo-robot@api-connector.demo',
	/** The machine client of the client-credentials grant: it signs client assertions with the demo client certificate's key. */
	serviceClient: 'demo-service',
	openai: { apiKey: OPENAI_KEYS.all, organization: RIG_ORG, project: RIG_PROJECT },
	aws: { accessKeyId: 'AKIADEMOEXAMPLE00001', secretAccessKey: 'demo/aws+secret-access-key/EXAMPLE', region: 'eu-central-1' },
} as const;

export const DEFAULT_BASE_PORT = 5690;

export interface DemoApi {
	/** OAuth2 server: /token, /authorize (login page), /custom/login, protected /api/me. */
	oauthUrl: string;
	tokenUrl: string;
	authorizeUrl: string;
	customLoginUrl: string;
	/** Plain HTTP API guarded by the demo keys, Basic and the self-handled header: /api/demo, /api/me. */
	apiUrl: string;
	/** HTTPS API that wants a client certificate signed by the demo CA: /api/demo, /api/me. */
	mtlsUrl: string;
	/** OpenAI-compatible base URL (…/v1). */
	openaiUrl: string;
	/** S3-style API that checks AWS Signature V4 with @smithy/signature-v4. */
	awsUrl: string;
	/** HTTP Digest (SHA-256) API for the demo user: /api/demo, /api/me. */
	digestUrl: string;
	pki: Pki;
	/** PKCS#8 PEM of the key the JWT bearer credential signs with (made at every start). */
	jwtPrivateKey: string;
	/** The rig servers, e.g. to count token requests. */
	servers: { oauth: OAuth2Server; api: ApiServer; mtls: ApiServer; openai: OpenAiServer; aws: SigV4Server; digest: DigestServer };
	stop(): Promise<void>;
}

export interface DemoApiOptions {
	/** Reach the servers on fixed ports from `basePort` on (falling back to free ports). */
	fixedPorts?: boolean;
	basePort?: number;
	/** n8n's OAuth2 callback URL, registered for the authorization-code client (default: any). */
	callbackUrl?: string;
}

/** Which demo credential a request to the plain or mTLS API carried, without repeating the secret. */
function whoCalled(r: RecordedRequest): Record<string, unknown> {
	const header = r.headers['x-api-key'];
	if (header === DEMO.headerKey.live || header === DEMO.headerKey.development) {
		return { method: 'Header key', via: 'X-API-Key header', key: header === DEMO.headerKey.live ? 'live' : 'development' };
	}
	const query = r.query.key;
	if (query === DEMO.queryKey.live || query === DEMO.queryKey.development) {
		return { method: 'Query key', via: 'key query parameter', key: query === DEMO.queryKey.live ? 'live' : 'development' };
	}
	const basic = /^Basic (.+)$/.exec(r.headers.authorization ?? '')?.[1];
	if (basic) return { method: 'Basic', via: 'Authorization: Basic', user: Buffer.from(basic, 'base64').toString().split(':')[0] };
	if (r.headers['x-app-token'] === DEMO.appToken) return { method: 'Self-handled', via: 'X-App-Token header' };
	if (r.clientCN) return { method: 'mTLS', via: 'client certificate', clientCertificate: r.clientCN };
	return { method: 'none' };
}

function authorize(r: RecordedRequest): boolean {
	const basic = `Basic ${Buffer.from(`${DEMO.user.username}:${DEMO.user.password}`).toString('base64')}`;
	return whoCalled(r).method !== 'none' && (!r.headers.authorization?.startsWith('Basic ') || r.headers.authorization === basic);
}

const demoRoute = (_req: IncomingMessage, res: ServerResponse, _body: unknown, r: RecordedRequest) =>
	sendJson(res, 200, { ok: true, message: 'The demo API accepted the call', ...whoCalled(r), at: new Date(r.at).toISOString() });

interface Forwarder {
	port: number;
	close(): Promise<void>;
}

/** A TCP forwarder from `port` (or a free port if it is taken) to 127.0.0.1:`target()`. */
async function forward(port: number, target: () => number): Promise<Forwarder> {
	const sockets = new Set<Socket>();
	const server: Server = createServer((client) => {
		const upstream = connect(target(), '127.0.0.1');
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('close', () => {
				sockets.delete(socket);
				client.destroy();
				upstream.destroy();
			});
			socket.on('error', () => socket.destroy());
		}
		client.pipe(upstream).pipe(client);
	});
	const listenOn = (p: number) =>
		new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(p, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
	try {
		await listenOn(port);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
		await listenOn(0);
	}
	return {
		port: (server.address() as { port: number }).port,
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}

export async function startDemoApi(options: DemoApiOptions = {}): Promise<DemoApi> {
	const basePort = options.basePort ?? DEFAULT_BASE_PORT;
	const pki = await makePki();
	const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const forwarders: Forwarder[] = [];
	const closers: (() => Promise<void>)[] = [];
	/** The URL clients use for a rig server listening on `url`. */
	const expose = async (url: string, offset: number): Promise<string> => {
		if (!options.fixedPorts) return url;
		const target = new URL(url);
		const forwarder = await forward(basePort + offset, () => Number(new URL(url).port));
		forwarders.push(forwarder);
		target.port = String(forwarder.port);
		return target.origin;
	};

	try {
		// The OAuth2 server checks a JWT's audience against its token URL, which must be the URL
		// clients see: open the forwarder first, then start the server with that audience.
		let oauthPort = 0;
		let oauthForwarder: Forwarder | undefined;
		if (options.fixedPorts) {
			oauthForwarder = await forward(basePort, () => oauthPort);
			forwarders.push(oauthForwarder);
		}
		const oauthPublic = oauthForwarder ? `http://127.0.0.1:${oauthForwarder.port}` : undefined;
		const oauth = await startOAuth2Server({
			clients: [
				DEMO.client,
				{ ...DEMO.editorClient, redirectUris: options.callbackUrl ? [options.callbackUrl] : undefined },
				{ id: DEMO.serviceClient, assertionKey: pki.client.cert, certificate: pki.client.cert, requireThumbprint: true },
			],
			users: [DEMO.user],
			jwtIssuers: [{ issuer: DEMO.jwtIssuer, publicKey: jwtKey.publicKey }],
			loginHint: DEMO.user,
			...(oauthPublic ? { audience: `${oauthPublic}/token` } : {}),
		});
		closers.push(() => oauth.close());
		oauthPort = oauth.port;
		const oauthUrl = oauthPublic ?? oauth.url;

		const api = await startApiServer({ authorize, routes: { 'GET /api/demo': demoRoute } });
		closers.push(() => api.close());
		const mtls = await startApiServer({ tls: 'mtls', routes: { 'GET /api/demo': demoRoute } });
		closers.push(() => mtls.close());
		const openai = await startOpenAiServer();
		closers.push(() => openai.close());
		const apiUrl = await expose(api.url, 1);
		const mtlsUrl = await expose(mtls.url, 2);
		const openaiUrl = `${await expose(openai.url, 3)}/v1`;
		const aws = await startSigV4Server(
			{ [DEMO.aws.accessKeyId]: { secretAccessKey: DEMO.aws.secretAccessKey } },
			{ answer: () => ({ message: 'The demo API accepted the call', method: 'AWS SigV4', via: 'Authorization: AWS4-HMAC-SHA256' }) },
		);
		closers.push(() => aws.close());
		const awsUrl = await expose(aws.url, 7);
		const digest = await startDigestServer({
			...DEMO.user,
			algorithm: 'SHA-256',
			realm: 'demo',
			routes: {
				'/api/demo': (_req, res) =>
					sendJson(res, 200, {
						ok: true,
						message: 'The demo API accepted the call',
						method: 'Digest',
						via: 'Authorization: Digest (SHA-256)',
						user: DEMO.user.username,
					}),
			},
		});
		closers.push(() => digest.close());
		const digestUrl = await expose(digest.url, 4);

		let stopping: Promise<void> | undefined;
		return {
			oauthUrl,
			tokenUrl: `${oauthUrl}/token`,
			authorizeUrl: `${oauthUrl}/authorize`,
			customLoginUrl: `${oauthUrl}/custom/login`,
			apiUrl,
			mtlsUrl,
			openaiUrl,
			awsUrl,
			digestUrl,
			pki,
			jwtPrivateKey: jwtKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
			servers: { oauth, api, mtls, openai, aws, digest },
			stop: () => (stopping ??= closeAll(forwarders, closers)),
		};
	} catch (error) {
		await closeAll(forwarders, closers);
		throw error;
	}
}

async function closeAll(forwarders: Forwarder[], closers: (() => Promise<void>)[]): Promise<void> {
	await Promise.all([...forwarders.map((f) => f.close()), ...closers.map((close) => close())]);
}
