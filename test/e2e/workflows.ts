// Workflow JSON builders for the end-to-end tests.
import { randomUUID } from 'node:crypto';

export const PACKAGE = 'n8n-nodes-api-connector';
export const CALL_NODE = `${PACKAGE}.configuredApiCall`;

type Reference = { id: string; name: string; type: string };
type Node = Record<string, unknown> & { name: string };

export const manualTrigger = (): Node => ({
	id: randomUUID(),
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
});

export const webhookTrigger = (path: string): Node => ({
	id: randomUUID(),
	name: 'Start',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2.1,
	position: [0, 0],
	webhookId: randomUUID(),
	parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
});

/** n8n's own HTTP Request node with a credential of this package ("Predefined Credential Type"). */
export const httpRequestNode = (url: string, credential: Reference, name = 'HTTP Request'): Node => ({
	id: randomUUID(),
	name,
	type: 'n8n-nodes-base.httpRequest',
	typeVersion: 4.2,
	position: [220, 0],
	parameters: { url, authentication: 'predefinedCredentialType', nodeCredentialType: credential.type, options: {} },
	credentials: { [credential.type]: { id: credential.id, name: credential.name } },
});

/** This package's Configured API Call node. */
export const callNode = (parameters: Record<string, unknown>, credential?: Reference, name = 'Call'): Node => ({
	id: randomUUID(),
	name,
	type: CALL_NODE,
	typeVersion: 1,
	position: [440, 0],
	parameters: { authentication: credential?.type ?? 'none', method: 'GET', ...parameters },
	...(credential ? { credentials: { [credential.type]: { id: credential.id, name: credential.name } } } : {}),
});

/** A workflow whose nodes run one after the other. */
export function chain(name: string, ...nodes: Node[]) {
	const connections: Record<string, unknown> = {};
	for (let i = 1; i < nodes.length; i++) {
		connections[nodes[i - 1].name] = { main: [[{ node: nodes[i].name, type: 'main', index: 0 }]] };
	}
	return { name, nodes, connections };
}
