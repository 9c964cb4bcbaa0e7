import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { Answer, OpenAiApi } from '../transport';

// What the three actions share: their signature and the optional response metadata.

export type Action = (ctx: IExecuteFunctions, api: OpenAiApi, itemIndex: number) => Promise<INodeExecutionData[]>;

/** Output items of one input item, with the response metadata when the option asks for it. */
export function toItems(ctx: IExecuteFunctions, itemIndex: number, answer: Answer, objects: IDataObject[]): INodeExecutionData[] {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return objects.map((json) => ({
		json: options.includeMetadata ? { ...json, responseMetadata: answer.metadata } : json,
		pairedItem: { item: itemIndex },
	}));
}
