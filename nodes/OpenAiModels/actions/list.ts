import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { callOpenAi, type OpenAiApi } from '../transport';
import { toItems, type Action } from './common';

// GET /models returns every model at once (no pagination), so filters, order and limit are
// applied here.

/** owned_by of the models OpenAI provides; everything else is a fine-tune of an organization. */
export const OPENAI_OWNERS = ['system', 'openai', 'openai-internal'];

export interface ModelFilters {
	owner?: 'any' | 'fineTuned' | 'openai';
	ownedBy?: string;
	idPrefix?: string;
}

export function filterModels(models: IDataObject[], filters: ModelFilters): IDataObject[] {
	return models.filter((model) => {
		const owner = String(model.owned_by ?? '');
		if (filters.owner === 'fineTuned' && OPENAI_OWNERS.includes(owner)) return false;
		if (filters.owner === 'openai' && !OPENAI_OWNERS.includes(owner)) return false;
		if (filters.ownedBy && owner !== filters.ownedBy.trim()) return false;
		return !filters.idPrefix || String(model.id ?? '').startsWith(filters.idPrefix.trim());
	});
}

export function sortModels(models: IDataObject[], order: string): IDataObject[] {
	if (order !== 'newest' && order !== 'oldest') return models;
	const sign = order === 'newest' ? -1 : 1;
	return [...models].sort((a, b) => sign * ((Number(a.created) || 0) - (Number(b.created) || 0)));
}

/** GET /models: the list, or an error that says the Base URL is not OpenAI-compatible. */
export async function fetchModels(api: OpenAiApi, itemIndex: number) {
	const answer = await callOpenAi(api, { method: 'GET', path: 'models', itemIndex });
	if (!Array.isArray(answer.body.data)) {
		throw new NodeOperationError(api.node, 'GET /models answered without a "data" list. The Base URL must be an OpenAI-compatible API.', {
			itemIndex,
		});
	}
	return { answer, models: answer.body.data as IDataObject[] };
}

export const listModels: Action = async (ctx: IExecuteFunctions, api: OpenAiApi, itemIndex: number) => {
	const { answer, models } = await fetchModels(api, itemIndex);
	const filters = ctx.getNodeParameter('filters', itemIndex, {}) as ModelFilters;
	let result = sortModels(filterModels(models, filters), ctx.getNodeParameter('sort', itemIndex, 'none') as string);
	if (!ctx.getNodeParameter('returnAll', itemIndex, false)) {
		result = result.slice(0, ctx.getNodeParameter('limit', itemIndex, 50) as number);
	}
	return toItems(ctx, itemIndex, answer, result);
};
