// A local OpenAI-compatible server: the Models endpoints (list, retrieve, delete) under /v1 with
// OpenAI's documented response and error shapes, API keys with permission levels, organizations
// and projects, rate limits, and the response headers OpenAI sends. No test calls OpenAI itself.
//
// Shapes taken from:
// - Models reference (list / retrieve / delete objects):
//   https://developers.openai.com/api/reference/cli/resources/models/index.md
//   https://platform.openai.com/docs/api-reference/models
// - Authentication (Bearer key, OpenAI-Organization, OpenAI-Project) and "Debugging requests"
//   (x-request-id, openai-organization, openai-processing-ms, openai-version, x-ratelimit-*):
//   https://developers.openai.com/api/reference/overview
// - Error codes (401 invalid authentication / incorrect API key, 403, 429 rate limit / quota):
//   https://developers.openai.com/docs/guides/error-codes
// - Rate limit headers: https://platform.openai.com/docs/guides/rate-limits
// - Error bodies exactly as OpenAI returns them, quoted by users of the API:
//   mismatched_organization: https://github.com/Azure-Samples/ai-rag-chat-evaluator/issues/76
//   missing scopes (restricted keys): https://community.openai.com/t/admin-keys-not-working-missing-scopes-despite-all-permissions/1345041
//   model_not_found: https://github.com/openai/openai-agents-python/issues/458
//   429 rate_limit_exceeded: https://github.com/OpenBMB/ChatDev/issues/26
// Not documented anywhere we found: the scope a model deletion needs. The server assumes
// "api.model.write" (a read-only key has only the .read scopes).
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { listen, sendJson } from './http.ts';

export interface OpenAiModel {
	id: string;
	object: 'model';
	created: number;
	owned_by: string;
}

export type Permission = 'all' | 'read' | 'restricted';

export interface OpenAiKey {
	organization: string;
	project: string;
	permission: Permission;
}

export const RIG_ORG = 'org-rigTestOrg123';
export const RIG_PROJECT = 'proj_rigTestProject1';

/** Keys the server knows. Their look follows OpenAI's project keys; none is real. */
export const OPENAI_KEYS = {
	all: 'sk-proj-rigAllPermissions0000000000000000000000AbCd',
	readOnly: 'sk-proj-rigReadOnly00000000000000000000000000000EfGh',
	restricted: 'sk-proj-rigRestrictedNoModels0000000000000000000IjKl',
} as const;

const SCOPES: Record<Permission, (scope: string) => boolean> = {
	all: () => true,
	read: (scope) => scope.endsWith('.read'),
	// A restricted key that may call models ("model.request") but not list them.
	restricted: (scope) => scope === 'model.request',
};

export const INITIAL_MODELS: OpenAiModel[] = [
	{ id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' },
	{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
	{ id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
	{ id: 'whisper-1', object: 'model', created: 1677532384, owned_by: 'openai-internal' },
	{ id: 'davinci-002', object: 'model', created: 1692634301, owned_by: 'system' },
	{ id: 'ft:gpt-4o-mini-2024-07-18:rig-org:support-bot:AbC123xy', object: 'model', created: 1730000000, owned_by: RIG_ORG },
	{ id: 'ft:gpt-3.5-turbo-0125:rig-org:faq:Xy12Ab34', object: 'model', created: 1720000000, owned_by: RIG_ORG },
];

export interface SeenRequest {
	method: string;
	path: string;
	headers: IncomingHttpHeaders;
	requestId: string;
}

export interface OpenAiServerOptions {
	/** Status of "Missing scopes" refusals. The 403 by default; OpenAI also answers 401. */
	scopeStatus?: 401 | 403;
}

export interface OpenAiServer {
	url: string;
	/** What the credential's Base URL should be: `${url}/v1`. */
	baseUrl: string;
	requests: SeenRequest[];
	models: OpenAiModel[];
	/** The next `count` requests answer 429; Retry-After (seconds) is sent when given. */
	rateLimit(count: number, retryAfter?: string): void;
	/** Every request answers 429 insufficient_quota while true. */
	quotaExhausted: boolean;
	/** Models back to INITIAL_MODELS, no rate limit, no recorded requests. */
	reset(): void;
	close(): Promise<void>;
}

type ErrorBody = { message: string; type: string; param: null; code: string | null };
const errorBody = (message: string, type: string, code: string | null): { error: ErrorBody } => ({
	error: { message, type, param: null, code },
});

/** OpenAI quotes a wrong key with its start and end and stars in between. */
const maskKey = (key: string) => `${key.slice(0, 8)}${'*'.repeat(Math.max(4, key.length - 12))}${key.slice(-4)}`;

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
	const keys = new Map<string, OpenAiKey>([
		[OPENAI_KEYS.all, { organization: RIG_ORG, project: RIG_PROJECT, permission: 'all' }],
		[OPENAI_KEYS.readOnly, { organization: RIG_ORG, project: RIG_PROJECT, permission: 'read' }],
		[OPENAI_KEYS.restricted, { organization: RIG_ORG, project: RIG_PROJECT, permission: 'restricted' }],
	]);
	const requests: SeenRequest[] = [];
	let models = structuredClone(INITIAL_MODELS);
	let limited = 0;
	let retryAfter: string | undefined;
	let remaining = 500;

	const handler = (req: IncomingMessage, res: ServerResponse) => {
		const url = new URL(req.url ?? '/', 'http://rig');
		const method = req.method ?? 'GET';
		const requestId = `req_${randomBytes(16).toString('hex')}`;
		requests.push({ method, path: url.pathname, headers: req.headers, requestId });
		let organization = RIG_ORG;
		const answer = (status: number, body: unknown, extra: Record<string, string> = {}) => {
			sendJson(res, status, body, {
				'x-request-id': requestId,
				'openai-organization': organization,
				'openai-processing-ms': '12',
				'openai-version': '2020-10-01',
				'x-ratelimit-limit-requests': '500',
				'x-ratelimit-remaining-requests': String(remaining),
				'x-ratelimit-reset-requests': '120ms',
				'x-ratelimit-limit-tokens': '200000',
				'x-ratelimit-remaining-tokens': '200000',
				'x-ratelimit-reset-tokens': '0s',
				...extra,
			});
		};

		if (!url.pathname.startsWith('/v1/')) {
			return answer(404, errorBody(`Invalid URL (${method} ${url.pathname})`, 'invalid_request_error', null));
		}
		const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
		if (!auth) {
			return answer(
				401,
				errorBody(
					"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
					'invalid_request_error',
					null,
				),
			);
		}
		const key = keys.get(auth[1]);
		if (!key) {
			return answer(
				401,
				errorBody(
					`Incorrect API key provided: ${maskKey(auth[1])}. You can find your API key at https://platform.openai.com/account/api-keys.`,
					'invalid_request_error',
					'invalid_api_key',
				),
			);
		}
		organization = key.organization;
		const orgHeader = req.headers['openai-organization'];
		if (orgHeader !== undefined && orgHeader !== key.organization) {
			return answer(
				401,
				errorBody('OpenAI-Organization header should match organization for API key', 'invalid_request_error', 'mismatched_organization'),
			);
		}
		const projectHeader = req.headers['openai-project'];
		if (projectHeader !== undefined && projectHeader !== key.project) {
			return answer(
				401,
				errorBody('OpenAI-Project header should match project for API key', 'invalid_request_error', 'mismatched_project'),
			);
		}
		if (limited > 0) {
			limited--;
			remaining = 0;
			return answer(
				429,
				errorBody(
					`Rate limit reached for requests in organization ${key.organization} on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${retryAfter ?? '1'}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
					'requests',
					'rate_limit_exceeded',
				),
				{ 'x-ratelimit-remaining-requests': '0', ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }) },
			);
		}
		remaining = Math.max(0, remaining - 1);
		if (server.quotaExhausted) {
			return answer(
				429,
				errorBody(
					'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
					'insufficient_quota',
					'insufficient_quota',
				),
			);
		}

		const match = /^\/v1\/models(?:\/([^/]+))?$/.exec(url.pathname);
		const scope = method === 'DELETE' ? 'api.model.write' : 'api.model.read';
		if (!match || !['GET', 'DELETE'].includes(method) || (method === 'DELETE' && !match[1])) {
			return answer(404, errorBody(`Invalid URL (${method} ${url.pathname})`, 'invalid_request_error', null));
		}
		if (!SCOPES[key.permission](scope)) {
			return answer(
				options.scopeStatus ?? 403,
				errorBody(
					`You have insufficient permissions for this operation. Missing scopes: ${scope}. Check that you have the correct role in your organization (Reader, Writer, Owner) and project (Viewer, Member, Owner), and if you're using a restricted API key, that it has the necessary scopes.`,
					'invalid_request_error',
					null,
				),
			);
		}
		if (!match[1]) return answer(200, { object: 'list', data: models });
		const id = decodeURIComponent(match[1]);
		const model = models.find((m) => m.id === id);
		if (!model) {
			return answer(
				404,
				errorBody(`The model \`${id}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'),
			);
		}
		if (method === 'GET') return answer(200, model);
		models = models.filter((m) => m.id !== id);
		server.models = models;
		return answer(200, { id, object: 'model', deleted: true });
	};

	const listening = await listen('none', handler);
	const server: OpenAiServer = {
		url: listening.url,
		baseUrl: `${listening.url}/v1`,
		requests,
		models,
		quotaExhausted: false,
		rateLimit(count, after) {
			limited = count;
			retryAfter = after;
		},
		reset() {
			models = structuredClone(INITIAL_MODELS);
			server.models = models;
			limited = 0;
			retryAfter = undefined;
			remaining = 500;
			server.quotaExhausted = false;
			requests.length = 0;
		},
		close: () => listening.close(),
	};
	return server;
}
