import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { testCredential } from '../shared/credentialTest';
import { properties } from './description';
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
		// Written out (not derived from the catalog) because n8n's community-node lint reads this
		// array to see that every credential has a test. A test in the catalog checks it matches.
		// The authorization-code type is tested by n8n itself (it shows whether it is connected).
		credentials: [
			{
				name: 'apiConnectorHeaderKeyApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorHeaderKeyApi'] } },
			},
			{
				name: 'apiConnectorQueryKeyApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorQueryKeyApi'] } },
			},
			{
				name: 'apiConnectorBasicAuthApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorBasicAuthApi'] } },
			},
			{
				name: 'apiConnectorDigestAuthApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorDigestAuthApi'] } },
			},
			{
				name: 'apiConnectorPasswordGrantOAuth2Api',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorPasswordGrantOAuth2Api'] } },
			},
			{
				name: 'apiConnectorClientCredentialsOAuth2Api',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorClientCredentialsOAuth2Api'] } },
			},
			{
				name: 'apiConnectorCustomTokenOAuth2Api',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorCustomTokenOAuth2Api'] } },
			},
			{
				name: 'apiConnectorAuthCodeOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['apiConnectorAuthCodeOAuth2Api'] } },
			},
			{
				name: 'apiConnectorJwtBearerApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorJwtBearerApi'] } },
			},
			{
				name: 'apiConnectorClientCertificateApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorClientCertificateApi'] } },
			},
			{
				name: 'apiConnectorCustomAuthApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorCustomAuthApi'] } },
			},
			{
				name: 'apiConnectorOpenAiApi',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorOpenAiApi'] } },
			},
			{
				name: 'apiConnectorAwsSigV4Api',
				required: true,
				testedBy: 'testCredential',
				displayOptions: { show: { authentication: ['apiConnectorAwsSigV4Api'] } },
			},
		],
		properties,
	};

	methods = { credentialTest: { testCredential } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeCalls(this);
	}
}
