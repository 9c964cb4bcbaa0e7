import type { IExecuteFunctions, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

// Reading a node parameter per item costs n8n an expression pass each time. A parameter whose
// stored value holds no expression is the same for every item, so it is read once.

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

export type ParameterReader = <T = NodeParameterValueType | object>(name: string, itemIndex: number, fallback?: T) => T;

export function parameterReader(ctx: IExecuteFunctions): ParameterReader {
	const stored: INodeParameters = ctx.getNode().parameters;
	const once = new Map<string, unknown>();
	return <T>(name: string, itemIndex: number, fallback?: T): T => {
		if (holdsExpression(stored[name])) return ctx.getNodeParameter(name, itemIndex, fallback as never) as T;
		if (!once.has(name)) once.set(name, ctx.getNodeParameter(name, itemIndex, fallback as never));
		return once.get(name) as T;
	};
}
