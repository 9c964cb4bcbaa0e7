import { NodeApiError, NodeError, NodeOperationError, type INode, type INodeExecutionData, type JsonObject } from 'n8n-workflow';

import { bodyOf, displayUrl, excerpt, networkProblem, statusOf } from '../../credentials/common/messages';

// Errors of calls, as the user should read them: what was called, what came back, what to do.
// They are built from plain values, never from the request, so no header, key or token can
// ride along into the execution data.

const STATUS_HINTS: Record<number, string> = {
	400: 'The API rejected the request: check the parameters and body.',
	401: 'The API refused the credential: check the key, password or token settings.',
	403: 'The credential is valid but lacks permission for this call.',
	404: 'Nothing at this URL: check the path and the Base URL of the credential.',
	405: 'The API does not allow this method at this URL.',
	408: 'The API timed out waiting for the request.',
	409: 'The API reports a conflict with the current state of the resource.',
	413: 'The body is too large for the API.',
	415: 'The API does not accept this body content type.',
	422: 'The API could not process the body: check the field values.',
	429: 'The API is rate limiting: slow down, or turn on Retry in the node options.',
	500: 'The API failed: try again later.',
	502: 'A gateway in front of the API failed: try again later.',
	503: 'The API is unavailable: try again later, or turn on Retry in the node options.',
	504: 'A gateway in front of the API timed out: try again later.',
};

/** The message an API put in its error body, if it has a usual shape. */
export function apiMessage(body: unknown): string | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const b = body as Record<string, unknown>;
	const candidates = [(b.error as Record<string, unknown>)?.message, b.error_description, b.message, b.error, b.detail, b.title];
	const found = candidates.find((value) => typeof value === 'string' && value.trim());
	return found as string | undefined;
}

export function httpStatusError(
	node: INode,
	options: {
		method: string;
		url: string;
		status: number;
		body: unknown;
		itemIndex: number;
		secrets?: unknown[];
		/** Replaces the usual advice for the status (e.g. about a Retry-After beyond the budget). */
		hint?: string;
		/** Which key was sent, for key credentials: "the live key was sent". */
		sent?: string;
	},
): NodeApiError {
	const { method, url, status, body, itemIndex } = options;
	const said = apiMessage(body);
	const refused = status === 401 || status === 403;
	const hint =
		options.hint ??
		`${STATUS_HINTS[status] ?? (status >= 500 ? 'The API failed: try again later.' : 'The API refused the request.')}${refused && options.sent ? ` (${options.sent}.)` : ''}`;
	const message = `${method} ${displayUrl(url)} answered HTTP ${status}${said ? `: ${excerpt(said, options.secrets ?? [], 160)}` : ''}`;
	return new NodeApiError(node, { message, httpCode: String(status) } as JsonObject, {
		message,
		description: `${hint}${said ? '' : body ? ` The answer was: ${excerpt(body, options.secrets ?? [])}` : ''}`,
		httpCode: String(status),
		itemIndex,
	});
}

/** An error thrown while calling (DNS, TCP, TLS, timeout, a credential problem). */
export function callError(
	node: INode,
	error: unknown,
	options: { method: string; url: string; itemIndex: number; clientCertificate?: boolean; secrets?: unknown[] },
): NodeApiError {
	const { method, url, itemIndex, secrets } = options;
	const status = statusOf(error);
	if (status) return httpStatusError(node, { method, url, status, body: bodyOf(error), itemIndex, secrets });
	const problem = networkProblem(error, options);
	const reason = problem ?? (error as Error)?.message ?? 'unknown error';
	const message = problem ? `${method} ${displayUrl(url)} failed: ${problem}` : reason;
	return new NodeApiError(node, { message } as JsonObject, { message, itemIndex });
}

/** The output item of a failed input item under continue-on-fail. */
export function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	return {
		json: { error: error.message, ...(error.description ? { description: error.description } : {}) },
		pairedItem: { item: itemIndex },
	};
}

/** A node error for an item: n8n's own errors as they are, anything else wrapped. */
export function asNodeError(node: INode, error: unknown, itemIndex: number): NodeError {
	if (error instanceof NodeError) {
		error.context.itemIndex ??= itemIndex;
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}
