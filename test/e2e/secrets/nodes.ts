// Workflow builders for the secrets suite: one trigger fanned out to many nodes, so that every
// variant of a call runs in one execution, each with one input item.
import { randomUUID } from 'node:crypto';
import { CALL_NODE, PACKAGE } from '../workflows.ts';

export type Reference = { id: string; name: string; type: string };
export type Node = Record<string, unknown> & { name: string };

const place = (index: number): [number, number] => [300, index * 120];

/** Makes the node continue with an error item instead of failing the execution. */
export const continuing = (node: Node): Node => ({ ...node, onError: 'continueRegularOutput' });

/** Configured API Call. */
export function call(name: string, credential: Reference | undefined, parameters: Record<string, unknown>): Node {
	return {
		id: randomUUID(),
		name,
		type: CALL_NODE,
		typeVersion: 1,
		position: place(0),
		parameters: { authentication: credential?.type ?? 'none', method: 'GET', ...parameters },
		...(credential ? { credentials: { [credential.type]: { id: credential.id, name: credential.name } } } : {}),
	};
}

/**
 * n8n's own HTTP Request node with a credential of the package (Predefined Credential Type).
 * 4.2 by default, like the other e2e tests; 4.5 is what the editor adds today.
 */
export function httpRequest(
	name: string,
	credential: Reference,
	url: string,
	options: Record<string, unknown> = {},
	typeVersion = 4.2,
): Node {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion,
		position: place(0),
		parameters: { method: 'GET', url, authentication: 'predefinedCredentialType', nodeCredentialType: credential.type, options },
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
	};
}

/** The OpenAI Models node. */
export function openAiModels(name: string, credential: Reference, parameters: Record<string, unknown>): Node {
	return {
		id: randomUUID(),
		name,
		type: `${PACKAGE}.openAiModels`,
		typeVersion: 1,
		position: place(0),
		parameters: { resource: 'model', options: { retries: 0 }, ...parameters },
		credentials: { [credential.type]: { id: credential.id, name: credential.name } },
	};
}

/** A workflow where `trigger` feeds every node of `nodes` (each gets the trigger's item). */
export function fanOut(name: string, trigger: Node, nodes: Node[]) {
	const positioned = nodes.map((node, index) => ({ ...node, position: place(index) }));
	return {
		name,
		nodes: [trigger, ...positioned],
		connections: { [trigger.name]: { main: [positioned.map((node) => ({ node: node.name, type: 'main', index: 0 }))] } },
	};
}
