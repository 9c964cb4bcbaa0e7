import { sleep } from 'n8n-workflow';

import { waitUnlessAborted } from '../../credentials/common/transport';

// Retries of calls that failed for a reason that may pass: 429, 5xx, a dropped connection.
// Exponential backoff with full jitter, Retry-After honoured, bounded in tries and total wait.

export interface RetryPolicy {
	maxTries: number;
	maxWaitMs: number;
	baseDelayMs: number;
}

export const NO_RETRY: RetryPolicy = { maxTries: 1, maxWaitMs: 0, baseDelayMs: 0 };

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const RETRYABLE_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
]);

export interface Attempt<T> {
	/** The result of the try, or why it failed. */
	result?: T;
	error?: unknown;
	/** The HTTP status and headers, when the server answered. */
	status?: number;
	headers?: Record<string, unknown>;
}

export function isRetryable<T>(attempt: Attempt<T>): boolean {
	if (attempt.status !== undefined) return RETRYABLE_STATUS.has(attempt.status);
	if (!attempt.error) return false;
	let current = attempt.error as { code?: string; cause?: unknown } | undefined;
	for (let depth = 0; current && depth < 5; depth++) {
		if (current.code && RETRYABLE_CODES.has(current.code)) return true;
		current = current.cause as typeof current;
	}
	return false;
}

/** Milliseconds the server asked to wait (Retry-After: seconds or an HTTP date). */
export function retryAfterMs(headers: Record<string, unknown> | undefined, now = Date.now()): number | undefined {
	const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const at = Date.parse(String(value));
	return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export function backoffMs(tryNumber: number, policy: RetryPolicy, random = Math.random): number {
	return Math.round(random() * policy.baseDelayMs * 2 ** (tryNumber - 1));
}

export interface RetryOutcome<T> extends Attempt<T> {
	tries: number;
	/** Set when the server asked to wait longer than the budget allowed, in ms. */
	refusedWaitMs?: number;
}

/**
 * Runs `attempt` until it gives a final outcome. Returns the last attempt, which the caller
 * turns into output or an error; stops early when waiting would exceed the budget. A wait ends
 * at once when `signal` fires (Stop), and no try starts after it.
 */
export async function withRetries<T>(
	policy: RetryPolicy,
	attempt: () => Promise<Attempt<T>>,
	signal?: AbortSignal,
): Promise<RetryOutcome<T>> {
	let waited = 0;
	for (let tries = 1; ; tries++) {
		const outcome = await attempt();
		if (tries >= policy.maxTries || !isRetryable(outcome) || signal?.aborted) return { ...outcome, tries };
		const asked = retryAfterMs(outcome.headers);
		const delay = asked ?? backoffMs(tries, policy);
		if (waited + delay > policy.maxWaitMs) return { ...outcome, tries, ...(asked !== undefined ? { refusedWaitMs: asked } : {}) };
		await waitUnlessAborted(delay, signal, sleep);
		waited += delay;
	}
}
