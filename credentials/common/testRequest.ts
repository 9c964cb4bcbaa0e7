import type { ICredentialTestRequest } from 'n8n-workflow';

// The Test button's request: a GET to the credential's Test URL (absolute, or a path below its
// Base URL), authenticated the way every call is.
export const testRequest: ICredentialTestRequest = {
	request: {
		url: "={{ /^https?:\\/\\//i.test($credentials.testUrl) ? $credentials.testUrl : ($credentials.baseUrl || '').replace(/\\/+$/, '') + '/' + ($credentials.testUrl || '').replace(/^\\/+/, '') }}",
		method: 'GET',
	},
	rules: [
		{ type: 'responseCode', properties: { value: 401, message: 'The API refused the credential (HTTP 401). Check the key or password.' } },
		{ type: 'responseCode', properties: { value: 403, message: 'The API refused the credential (HTTP 403): it is valid but lacks permission for the Test URL, or it is wrong.' } },
		{ type: 'responseCode', properties: { value: 404, message: 'The Test URL answered HTTP 404: check the Test URL and Base URL.' } },
	],
};
