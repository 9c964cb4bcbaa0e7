import type { ICredentialDataDecryptedObject, ICredentialType, IHttpRequestOptions, INodeProperties, Icon } from 'n8n-workflow';

import { signAwsRequest } from './common/awsRequest';
import { guardedAuthenticate } from './common/boundary';
import { tlsFields } from './common/fields';
import { withTls } from './common/tls';

export class ApiConnectorAwsSigV4Api implements ICredentialType {
	name = 'apiConnectorAwsSigV4Api';

	displayName = 'API Connector: AWS Signature V4 API';

	icon: Icon = { light: 'file:icons/awsSigV4.svg', dark: 'file:icons/awsSigV4.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#aws-signature-v4';

	properties: INodeProperties[] = [
		{ displayName: 'Access Key ID', name: 'accessKeyId', type: 'string', default: '', required: true, placeholder: 'AKIAIOSFODNN7EXAMPLE' },
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Optional. Only for temporary credentials (from STS, SSO or an assumed role); sent as X-Amz-Security-Token.',
		},
		{ displayName: 'Region', name: 'region', type: 'string', default: 'us-east-1', required: true, placeholder: 'eu-west-1' },
		{
			displayName: 'Service Name',
			name: 'service',
			type: 'string',
			default: 's3',
			required: true,
			placeholder: 's3',
			description:
				'The signing name of the service: s3 (also for S3-compatible storage), execute-api (API Gateway), es (OpenSearch), sts, lambda, ...',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'https://s3.eu-west-1.amazonaws.com',
			description:
				'Optional. The endpoint the credential is for, e.g. an S3-compatible server (MinIO, Ceph) or an API Gateway stage. Configured API Call resolves relative URLs against it, and the credential goes to this origin only.',
		},
		{
			displayName: 'Test URL',
			name: 'testUrl',
			type: 'string',
			default: '',
			placeholder: 'https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15',
			description:
				'Optional. A GET endpoint that answers 2xx when the credential is valid. Empty: the Base URL itself (for S3-compatible storage: the bucket list) when one is set, else AWS STS GetCallerIdentity in the Region (signed for sts).',
		},
		{
			displayName: 'Payload Signing',
			name: 'payloadSigning',
			type: 'options',
			options: [
				{ name: 'Signed', value: 'signed', description: 'The hash of the body is signed (bodies are read into memory, up to 64 MB)' },
				{
					name: 'Unsigned Payload',
					value: 'unsigned',
					description: 'S3 only: the body is sent as it is, streamed, and not part of the signature (UNSIGNED-PAYLOAD)',
				},
			],
			default: 'signed',
		},
		...tlsFields(true),
	];

	authenticate = guardedAuthenticate(
		async (credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> =>
			withTls(credentials, await signAwsRequest(credentials, requestOptions)),
	);
}
