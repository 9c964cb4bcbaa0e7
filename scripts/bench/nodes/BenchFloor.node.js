// Bench-only node (loaded through N8N_CUSTOM_EXTENSIONS, never shipped): the floor. It sends one
// plain helpers.httpRequest per item, through n8n's network layer, with no credential and no
// per-item parameter work, sequentially or with N calls in flight.
class BenchFloor {
	description = {
		displayName: 'Bench Floor',
		name: 'benchFloor',
		group: ['transform'],
		version: 1,
		description: 'helpers.httpRequest in a loop',
		defaults: { name: 'Bench Floor' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [
			{ displayName: 'URL', name: 'url', type: 'string', default: '' },
			{ displayName: 'In Flight', name: 'concurrency', type: 'number', default: 1 },
		],
	};

	async execute() {
		const items = this.getInputData();
		const url = this.getNodeParameter('url', 0);
		const concurrency = this.getNodeParameter('concurrency', 0);
		const output = new Array(items.length);
		let next = 0;
		const worker = async () => {
			while (next < items.length) {
				const index = next++;
				output[index] = { json: await this.helpers.httpRequest({ url, json: true }), pairedItem: { item: index } };
			}
		};
		await Promise.all(Array.from({ length: concurrency }, worker));
		return [output];
	}
}
module.exports = { BenchFloor };
