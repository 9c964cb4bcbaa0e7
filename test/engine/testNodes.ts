// Node types that exist only in the engine tests: a source of items to feed the node under test.
import { createRequire } from 'node:module';
import type * as NW from 'n8n-workflow';

const require = createRequire(import.meta.url);
const nw = require('n8n-workflow') as typeof NW;

class Items implements NW.INodeType {
	description: NW.INodeTypeDescription = {
		displayName: 'Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Emits the given items, or `count` numbered items',
		defaults: { name: 'Items' },
		inputs: [nw.NodeConnectionTypes.Main],
		outputs: [nw.NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'string', default: '[]' },
			{ displayName: 'Count', name: 'count', type: 'number', default: 0 },
			{ displayName: 'File (Base64)', name: 'file', type: 'string', default: '' },
			{ displayName: 'File MIME Type', name: 'fileType', type: 'string', default: 'application/octet-stream' },
		],
	};

	async execute(this: NW.IExecuteFunctions): Promise<NW.INodeExecutionData[][]> {
		const count = this.getNodeParameter('count', 0) as number;
		const given = JSON.parse(this.getNodeParameter('items', 0) as string) as NW.IDataObject[];
		const items = count ? Array.from({ length: count }, (_, index) => ({ index })) : given.length ? given : [{}];
		const file = this.getNodeParameter('file', 0) as string;
		const binary = file
			? {
					data: await this.helpers.prepareBinaryData(
						Buffer.from(file, 'base64'),
						'upload.bin',
						this.getNodeParameter('fileType', 0) as string,
					),
				}
			: undefined;
		return [items.map((json) => ({ json, ...(binary ? { binary } : {}) }))];
	}
}

export function testNodeTypes(): Record<string, NW.INodeType> {
	return { 'apiTest.items': new Items() };
}
