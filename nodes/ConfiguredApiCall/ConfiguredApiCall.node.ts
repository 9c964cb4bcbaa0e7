import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { credentials, properties } from './description';
import { executeCalls } from './execute';

export class ConfiguredApiCall implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Configured API Call',
		name: 'configuredApiCall',
		icon: { light: 'file:configuredApiCall.svg', dark: 'file:configuredApiCall.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["method"] + " " + $parameter["url"] }}',
		description:
			'Calls any REST API with a stored credential: API keys, Basic, OAuth2 password, custom token or authorization code, JWT bearer, client certificates',
		defaults: { name: 'Configured API Call' },
		documentationUrl: 'https://www.npmjs.com/package/n8n-nodes-api-connector#configured-api-call',
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials,
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeCalls(this);
	}
}
