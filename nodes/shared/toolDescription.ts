import type { INodeProperties } from 'n8n-workflow';

// What a model reads about a node used as an AI-agent tool. n8n gives the tool variant of a
// `usableAsTool` node a Description field whose default is the node type's fixed description,
// unless the node declares its own `toolDescription`. Ours is an expression over the node's own
// parameters, so the model reads what this particular call does. n8n fills the default in when it
// loads the workflow and evaluates an expression description when the agent builds its tools.
//
// The expression is code inside {{ }}: it must never hold "{{" or "}}" (n8n would end it there),
// nor the name of the AI-parameter function followed by "(" (n8n would take it for one and add it
// to the tool's schema).

/** The Tool Description field, shown on the tool variant only, defaulting to `expression`. */
export function toolDescriptionField(expression: string): INodeProperties {
	if (/[{]{2}|[}]{2}|\$fromai\s*\(/i.test(expression)) throw new Error('A tool description expression cannot hold {{, }} or $fromAI(');
	return {
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		default: `={{ ${expression} }}`,
		displayOptions: { show: { '@tool': [true] } },
		description:
			'What the model reads about this tool. By default it is written from the parameters above; replace it to tell the model when to use the tool.',
	};
}

/**
 * An expression that shows a parameter's stored text (`value`, e.g. `$rawParameter.url`, since
 * `$parameter` would resolve it) as a model should read it: without the expression mark, each
 * AI-filled value as {key}, any other expression as {…}.
 */
export function shownText(value: string): string {
	return (
		`String(${value} ?? '').replace(/^=/, '')` +
		String.raw`.replace(/[{][{][^}]*fromAI\W+([\w-]+)[^}]*[}][}]/gi, '{$1}')` +
		String.raw`.replace(/[{][{][^}]*[}][}]/g, '{…}').trim()`
	);
}
