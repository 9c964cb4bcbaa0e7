import { UserError, type ICredentialTestRequest, type IHttpRequestOptions } from 'n8n-workflow';

// n8n's Test button sends a single request and reports its status; it runs a credential's
// preAuthentication only after a 401. Some credentials check more than one request can: every
// key that is set, or what exactly an API refused. Their Test button request carries a marker
// header; the first authenticate() of that request (and of no other) takes the marker off and
// answers like a refused call without sending anything. n8n then runs preAuthentication, whose
// check throws a message that says what is wrong, or passes, and n8n authenticates the request
// again, now normally.

/** Header that marks the Test button's request; it never reaches the API. */
const CHECK_HEADER = 'X-Api-Connector-Check';

/** The given Test button request, marked so that preAuthentication checks first. */
export function checkingTestRequest(test: ICredentialTestRequest): ICredentialTestRequest {
	return { ...test, request: { ...test.request, headers: { ...test.request.headers, [CHECK_HEADER]: 'true' } } };
}

/** For authenticate(): the error to throw when this is the marked request, else undefined. */
export function checkSignal(requestOptions: IHttpRequestOptions): Error | undefined {
	const headers = requestOptions.headers;
	if (!headers || !(CHECK_HEADER in headers)) return undefined;
	delete headers[CHECK_HEADER];
	return Object.assign(new UserError('Checking the credential first'), { response: { status: 401 } });
}
