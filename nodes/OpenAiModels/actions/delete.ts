import type { IExecuteFunctions } from 'n8n-workflow';

import { callOpenAi, type OpenAiApi } from '../transport';
import { toItems, type Action } from './common';
import { modelIdOf } from './get';

// OpenAI deletes only fine-tuned models, and only for keys with write permission and the Owner
// role; it says so itself when it refuses, and transport.ts passes that on.

export const deleteModel: Action = async (ctx: IExecuteFunctions, api: OpenAiApi, itemIndex: number) => {
	const modelId = modelIdOf(ctx, itemIndex);
	const answer = await callOpenAi(api, { method: 'DELETE', path: `models/${encodeURIComponent(modelId)}`, itemIndex, modelId });
	return toItems(ctx, itemIndex, answer, [{ id: answer.body.id ?? modelId, deleted: answer.body.deleted === true }]);
};
