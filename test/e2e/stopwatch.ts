// Timings of an end-to-end file's steps, printed as one table when the file ends, so a slow run
// shows where its minutes went.
export class Stopwatch {
	private readonly laps: [string, number][] = [];
	private readonly started = performance.now();
	private readonly file: string;
	private readonly live: boolean;

	/** `live`: also print each step as it ends (for steps that take minutes, such as installing n8n). */
	constructor(file: string, live = false) {
		this.file = file;
		this.live = live;
	}

	async time<T>(label: string, work: () => Promise<T> | T): Promise<T> {
		const started = performance.now();
		try {
			return await work();
		} finally {
			const ms = performance.now() - started;
			this.laps.push([label, ms]);
			if (this.live) console.log(`[e2e] ${label}: ${(ms / 1000).toFixed(1)} s`);
		}
	}

	print(): void {
		const width = Math.max(0, ...this.laps.map(([label]) => label.length));
		const rows = this.laps.map(([label, ms]) => `  ${label.padEnd(width)}  ${(ms / 1000).toFixed(1).padStart(6)} s`);
		console.log(`[e2e] ${this.file} timings:\n${rows.join('\n')}`);
		console.log(`[e2e] ${this.file}: ${((performance.now() - this.started) / 1000).toFixed(1)} s in all`);
	}
}
