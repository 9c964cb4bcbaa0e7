// Bench-only node (loaded through N8N_CUSTOM_EXTENSIONS, never shipped): emits N items.
class BenchItems {
	description = {
		displayName: 'Bench Items',
		name: 'benchItems',
		group: ['input'],
		version: 1,
		description: 'Emits N numbered items',
		defaults: { name: 'Bench Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Count', name: 'count', type: 'number', default: 1000 }],
	};

	async execute() {
		const count = this.getNodeParameter('count', 0);
		return [Array.from({ length: count }, (_, n) => ({ json: { n }, pairedItem: { item: 0 } }))];
	}
}
module.exports = { BenchItems };
