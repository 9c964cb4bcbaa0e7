import { CancelledError } from '../../credentials/common/transport';

// Runs an async task per index with at most `limit` in flight and returns the results in index
// order. After a task fails, or once `signal` fires (Stop), no new task starts; the failure is
// thrown once the running ones end.
export async function mapInOrder<T>(count: number, limit: number, task: (index: number) => Promise<T>, signal?: AbortSignal): Promise<T[]> {
	const results = new Array<T>(count);
	let next = 0;
	let failed = false;
	let failure: unknown;
	const worker = async () => {
		while (!failed && next < count) {
			if (signal?.aborted) {
				failure = new CancelledError();
				failed = true;
				break;
			}
			const index = next++;
			try {
				results[index] = await task(index);
			} catch (error) {
				if (!failed) failure = error;
				failed = true;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
	if (failed) throw failure;
	return results;
}
