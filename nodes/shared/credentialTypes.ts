import { UserError, type ICredentialType } from 'n8n-workflow';

import { ApiConnectorAwsSigV4Api } from '../../credentials/ApiConnectorAwsSigV4Api.credentials';
import { ApiConnectorAuthCodeOAuth2Api } from '../../credentials/ApiConnectorAuthCodeOAuth2Api.credentials';
import { ApiConnectorBasicAuthApi } from '../../credentials/ApiConnectorBasicAuthApi.credentials';
import { ApiConnectorClientCredentialsOAuth2Api } from '../../credentials/ApiConnectorClientCredentialsOAuth2Api.credentials';
import { ApiConnectorClientCertificateApi } from '../../credentials/ApiConnectorClientCertificateApi.credentials';
import { ApiConnectorCustomAuthApi } from '../../credentials/ApiConnectorCustomAuthApi.credentials';
import { ApiConnectorDigestAuthApi } from '../../credentials/ApiConnectorDigestAuthApi.credentials';
import { ApiConnectorCustomTokenOAuth2Api } from '../../credentials/ApiConnectorCustomTokenOAuth2Api.credentials';
import { ApiConnectorHeaderKeyApi } from '../../credentials/ApiConnectorHeaderKeyApi.credentials';
import { ApiConnectorJwtBearerApi } from '../../credentials/ApiConnectorJwtBearerApi.credentials';
import { ApiConnectorOpenAiApi } from '../../credentials/ApiConnectorOpenAiApi.credentials';
import { ApiConnectorPasswordGrantOAuth2Api } from '../../credentials/ApiConnectorPasswordGrantOAuth2Api.credentials';
import { ApiConnectorQueryKeyApi } from '../../credentials/ApiConnectorQueryKeyApi.credentials';

// Every credential type of the package as its class, for node code that needs a type's own
// definition: the Test button (its authenticate and preAuthentication) and the token keeper
// (the fields its token depends on).

const TYPES: Record<string, ICredentialType> = Object.fromEntries(
	[
		new ApiConnectorAuthCodeOAuth2Api(),
		new ApiConnectorAwsSigV4Api(),
		new ApiConnectorBasicAuthApi(),
		new ApiConnectorClientCertificateApi(),
		new ApiConnectorClientCredentialsOAuth2Api(),
		new ApiConnectorCustomAuthApi(),
		new ApiConnectorCustomTokenOAuth2Api(),
		new ApiConnectorDigestAuthApi(),
		new ApiConnectorHeaderKeyApi(),
		new ApiConnectorJwtBearerApi(),
		new ApiConnectorOpenAiApi(),
		new ApiConnectorPasswordGrantOAuth2Api(),
		new ApiConnectorQueryKeyApi(),
	].map((type) => [type.name, type]),
);

export function credentialType(name: string): ICredentialType {
	const type = TYPES[name];
	if (!type) throw new UserError(`"${name}" is not a credential type of this package.`);
	return type;
}
