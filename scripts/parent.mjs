/**
 * Calls `stop` once the process that started this one is gone. npm runs scripts through `sh`,
 * which does not pass a signal on: a SIGTERM to npm alone (an IDE's stop button, a process
 * manager) would otherwise leave the script, n8n and the demo API running.
 */
export function stopWithParent(stop) {
	const parent = process.ppid;
	const watch = setInterval(() => {
		if (process.ppid === parent) return;
		clearInterval(watch);
		stop();
	}, 500);
	watch.unref();
}
