import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { callOpenAi, type OpenAiApi } from '../transport';
import { toItems, type Action } from './common';

/** The model ID from the resource locator (list or ID mode). */
export function modelIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const id = String(ctx.getNodeParameter('modelId', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!id) throw new NodeOperationError(ctx.getNode(), 'Choose a model, or enter its ID.', { itemIndex });
	return id;
}

export const getModel: Action = async (ctx: IExecuteFunctions, api: OpenAiApi, itemIndex: number) => {
	const modelId = modelIdOf(ctx, itemIndex);
	const answer = await callOpenAi(api, { method: 'GET', path: `models/${encodeURIComponent(modelId)}`, itemIndex, modelId });
	return toItems(ctx, itemIndex, answer, [answer.body]);
};
