import { UserError, type ICredentialDataDecryptedObject, type IHttpRequestHelper } from 'n8n-workflow';

import { awsSettings } from './awsRequest';
import { secretValues } from './catalog';
import { MAX_CHECK_ANSWER, sendCheck, type Authenticate } from './check';
import { displayUrl, redact } from './messages';
import { discard, readBody } from './transport';
import { resolveUrl } from './urls';

// The Test button of the AWS Signature V4 credential: one signed GET, and AWS's error code read
// to say which field is wrong (AWS answers 403 to a wrong key, a wrong secret and a missing
// permission alike).

export const AWS_SIGV4_CREDENTIAL = 'apiConnectorAwsSigV4Api';

/** What the Test button calls, and with which credential (STS is signed for the sts service). */
export function awsTestTarget(data: ICredentialDataDecryptedObject): { url: string; credentials: ICredentialDataDecryptedObject } {
	const testUrl = String(data.testUrl ?? '').trim();
	const baseUrl = String(data.baseUrl ?? '').trim();
	if (testUrl || baseUrl) return { url: resolveUrl(baseUrl, testUrl, 'Test URL'), credentials: data };
	const { region } = awsSettings(data);
	const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
	return {
		url: `https://sts.${region}.${domain}/?Action=GetCallerIdentity&Version=2011-06-15`,
		credentials: { ...data, service: 'sts' },
	};
}

const REASONS: Array<[RegExp, string]> = [
	[
		/^SignatureDoesNotMatch$/,
		'the signature does not match: the Secret Access Key is wrong (or the Region or Service Name is not the one of this endpoint)',
	],
	[/^(InvalidClientTokenId|InvalidAccessKeyId|UnrecognizedClient(Exception)?)$/, 'the Access Key ID is not known to the service'],
	[/^(ExpiredToken(Exception)?|TokenRefreshRequired)$/, 'the Session Token has expired: get new temporary credentials'],
	[/^(InvalidToken|InvalidSecurityToken)$/, 'the Session Token is not valid for this Access Key ID'],
	[/^(RequestTimeTooSkewed|RequestExpired)$/, "the signing time is too far from the server's clock: check this machine's clock"],
	[/^AuthorizationHeaderMalformed$/, 'the Region or Service Name does not match this endpoint'],
	[/^(AccessDenied(Exception)?|Forbidden)$/, 'the credential is valid but lacks permission for the Test URL: set a Test URL it may call'],
];

/** The error code of an AWS answer (XML or JSON), when it has one. */
export function awsErrorCode(text: string): string | undefined {
	const code =
		/<Code>\s*([A-Za-z.]{1,64})\s*<\/Code>/.exec(text)?.[1] ??
		/"(?:__type|code|Code)"\s*:\s*"(?:[^"#]*#)?([A-Za-z.]{1,64})"/.exec(text)?.[1];
	return code;
}

export async function checkAwsCredential(
	http: IHttpRequestHelper,
	authenticate: Authenticate,
	data: ICredentialDataDecryptedObject,
): Promise<string> {
	const { url, credentials } = awsTestTarget(data);
	const answer = await sendCheck(http, authenticate, credentials, url);
	const where = `GET ${displayUrl(answer.url)}`;
	const status = answer.statusCode;
	if (status >= 200 && status < 300) {
		discard(answer.body);
		return `${where} accepted the signed request.`;
	}
	const text =
		status >= 400 && status < 500 ? (await readBody(answer.body, MAX_CHECK_ANSWER, where, '', answer.signal)).toString('utf8') : '';
	if (!text) discard(answer.body);
	const code = awsErrorCode(text);
	const reason = code ? REASONS.find(([pattern]) => pattern.test(code))?.[1] : undefined;
	const said = code ? `, ${redact(code, secretValues(data))}` : '';
	if (reason) throw new UserError(`${where} refused the credential (HTTP ${status}${said}): ${reason}.`);
	if (status === 401 || status === 403) {
		throw new UserError(
			`${where} refused the credential (HTTP ${status}${said}). Check the Access Key ID, the Secret Access Key, the Region and the Service Name.`,
		);
	}
	if (status === 404) throw new UserError(`${where} answered HTTP 404: check the Test URL and the Base URL.`);
	throw new UserError(
		`${where} answered HTTP ${status}${said}: the Test URL must be a GET endpoint that answers 2xx when the credential is valid.`,
	);
}
