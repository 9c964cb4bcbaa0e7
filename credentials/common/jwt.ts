import { constants, createHash, randomUUID, sign, X509Certificate, type KeyObject } from 'crypto';
import { UserError, type IDataObject } from 'n8n-workflow';

import { readPemBlocks } from './pem';
import { importPrivateKey } from './tls';

// Signs a JSON Web Token (RFC 7519) with node:crypto, for the JWT bearer grant (RFC 7523) and
// for APIs that take a self-signed JWT as the bearer token.

export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };
const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** Refuses a key that cannot sign with the algorithm, naming the key that would. */
export function assertKeyFits(key: KeyObject, algorithm: JwtAlgorithm): void {
	const family = algorithm.slice(0, 2);
	const type = key.asymmetricKeyType;
	if (family === 'ES') {
		const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
		if (type !== 'ec' || curve !== CURVES[algorithm]) {
			const have = type === 'ec' ? `an EC ${CURVE_NAMES[curve] ?? curve} key` : `an ${String(type).toUpperCase()} key`;
			throw new UserError(
				`${algorithm} needs an EC ${CURVE_NAMES[CURVES[algorithm]]} private key, but this is ${have}. Choose the algorithm that matches the key.`,
			);
		}
		return;
	}
	if (type !== 'rsa' && !(family === 'PS' && type === 'rsa-pss')) {
		throw new UserError(
			`${algorithm} needs an RSA private key, but this is an ${String(type).toUpperCase()} key. Choose an ES algorithm for EC keys.`,
		);
	}
	const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	if (bits < 2048) {
		throw new UserError(`${algorithm} needs an RSA key of at least 2048 bits; this one has ${bits}.`);
	}
}

/** The private key in a form field, imported once per token (the caller signs with it). */
export function signingKey(field: string, text: string, passphrase: string): KeyObject {
	const block = readPemBlocks(field, text, 'PRIVATE KEY').find((b) => b.label.endsWith('PRIVATE KEY'));
	if (!block) throw new UserError(`${field}: no "-----BEGIN ... PRIVATE KEY-----" block found.`);
	return importPrivateKey(field, block.text, passphrase);
}

/**
 * The certificate thumbprint headers (RFC 7515 4.1.7 and 4.1.8) by which providers such as
 * Microsoft Entra find the key that signed a client assertion. The certificate must hold the
 * signing key's public key and be valid now.
 */
export function certificateThumbprints(
	field: string,
	text: string,
	key?: KeyObject,
	now = Date.now(),
): { x5t: string; 'x5t#S256': string } {
	const block = readPemBlocks(field, text, 'CERTIFICATE').find((b) => b.label === 'CERTIFICATE');
	if (!block) throw new UserError(`${field}: no "-----BEGIN CERTIFICATE-----" block found.`);
	let certificate: X509Certificate | undefined;
	try {
		certificate = new X509Certificate(block.text);
	} catch {
		certificate = undefined;
	}
	if (!certificate) throw new UserError(`${field}: the certificate cannot be read. Paste the PEM certificate the provider has registered.`);
	// The provider would refuse either with a bare invalid_client; saying which is kinder.
	if (key && !certificate.checkPrivateKey(key)) {
		throw new UserError(`${field} does not belong to the private key: its public key is another one. Paste the matching pair.`);
	}
	if (Date.parse(certificate.validTo) <= now) {
		throw new UserError(
			`${field} expired on ${new Date(certificate.validTo).toISOString().slice(0, 10)}. Register a new certificate with the provider.`,
		);
	}
	const der = certificate.raw;
	return {
		x5t: createHash('sha1').update(der).digest('base64url'),
		'x5t#S256': createHash('sha256').update(der).digest('base64url'),
	};
}

/** Header parameters besides alg and typ. */
export interface JwtHeaderExtras {
	kid?: string;
	x5t?: string;
	'x5t#S256'?: string;
}

export function signJwt(key: KeyObject, algorithm: JwtAlgorithm, claims: IDataObject, extras: JwtHeaderExtras = {}): string {
	assertKeyFits(key, algorithm);
	const header: IDataObject = { alg: algorithm, typ: 'JWT' };
	for (const [name, value] of Object.entries(extras)) if (value) header[name] = value;
	const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
	const digest = `sha${algorithm.slice(2)}`;
	const family = algorithm.slice(0, 2);
	const signature =
		family === 'ES'
			? sign(digest, Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
			: family === 'PS'
				? sign(digest, Buffer.from(input), {
						key,
						padding: constants.RSA_PKCS1_PSS_PADDING,
						saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
					})
				: sign(digest, Buffer.from(input), key);
	return `${input}.${base64url(signature)}`;
}

/** The registered claims of an assertion that lives `lifetime` seconds from now. */
export function assertionClaims(options: {
	issuer: string;
	subject?: string;
	audience: string;
	lifetime: number;
	now?: number;
}): IDataObject {
	const iat = Math.floor((options.now ?? Date.now()) / 1000);
	const claims: IDataObject = { iss: options.issuer, aud: options.audience, iat, exp: iat + options.lifetime, jti: randomUUID() };
	if (options.subject) claims.sub = options.subject;
	return claims;
}
