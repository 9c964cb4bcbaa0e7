import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { guardedAuthenticate } from './common/boundary';
import { baseUrlField, testUrlField, tlsFields } from './common/fields';
import { assertHeader } from './common/headers';
import { pairsOf, type NameValue } from './common/pairs';
import { withTls } from './common/tls';

const pairList = (displayName: string, name: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	placeholder: `Add ${displayName.replace(/s$/, '')}`,
	default: {},
	description,
	options: [
		{
			displayName: 'Field',
			name: 'values',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '' },
				{ displayName: 'Value', name: 'value', type: 'string', typeOptions: { password: true }, default: '' },
			],
		},
	],
});

/** Merges the secret body fields into a JSON object, a form, or a multipart body. */
function mergeBody(requestOptions: IHttpRequestOptions, fields: NameValue[]) {
	if (!fields.length) return;
	const body = requestOptions.body as unknown;
	// Never into the caller's body object: it is sent again on a redirect to another host.
	if (body instanceof URLSearchParams) {
		const form = new URLSearchParams(body);
		for (const { name, value } of fields) form.set(name, value);
		requestOptions.body = form;
	} else if (body && typeof body === 'object' && typeof (body as FormData).append === 'function' && !Buffer.isBuffer(body)) {
		const form = new FormData();
		for (const [name, value] of (body as FormData).entries()) form.append(name, value);
		for (const { name, value } of fields) form.append(name, value);
		requestOptions.body = form;
	} else if (body && typeof body === 'object' && !Buffer.isBuffer(body) && !Array.isArray(body)) {
		requestOptions.body = { ...(body as IDataObject), ...Object.fromEntries(fields.map((f) => [f.name, f.value])) };
	} else if (body === undefined && !['GET', 'HEAD'].includes(requestOptions.method ?? 'GET')) {
		requestOptions.body = Object.fromEntries(fields.map((f) => [f.name, f.value]));
	}
	// A raw text or binary body is sent as it is: there is no field to merge into.
}

export class ApiConnectorCustomAuthApi implements ICredentialType {
	name = 'apiConnectorCustomAuthApi';

	displayName = 'API Connector: Self-Handled Auth API';

	icon: Icon = { light: 'file:icons/customAuth.svg', dark: 'file:icons/customAuth.dark.svg' };

	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-api-connector#self-handled';

	properties: INodeProperties[] = [
		{
			displayName:
				'For APIs whose scheme fits no other type. Values here stay in the encrypted credential, out of the workflow that every viewer sees and every export carries.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		pairList('Headers', 'headers', 'Sent with every call'),
		pairList('Query Parameters', 'queryParameters', 'Added to the URL of every call'),
		pairList('Body Fields', 'bodyFields', 'Merged into the JSON, form or multipart body of every call'),
		baseUrlField,
		testUrlField,
		...tlsFields(true),
	];

	authenticate = guardedAuthenticate(async (credentials: ICredentialDataDecryptedObject, incoming: IHttpRequestOptions) => {
		const requestOptions: IHttpRequestOptions = { ...incoming };
		const headers = pairsOf(credentials.headers);
		if (headers.length) {
			requestOptions.headers = { ...requestOptions.headers };
			for (const { name, value } of headers) {
				assertHeader(name, value, 'Self-handled headers');
				requestOptions.headers[name] = value;
			}
		}
		const query = pairsOf(credentials.queryParameters);
		if (query.length) {
			requestOptions.qs = { ...requestOptions.qs, ...Object.fromEntries(query.map((q) => [q.name, q.value])) };
		}
		mergeBody(requestOptions, pairsOf(credentials.bodyFields));
		return withTls(credentials, requestOptions);
	});
}
