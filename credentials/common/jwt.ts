import { constants, randomUUID, sign, type KeyObject } from 'crypto';
import { UserError, type IDataObject } from 'n8n-workflow';

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

export function signJwt(key: KeyObject, algorithm: JwtAlgorithm, claims: IDataObject, keyId?: string): string {
	assertKeyFits(key, algorithm);
	const header: IDataObject = { alg: algorithm, typ: 'JWT' };
	if (keyId) header.kid = keyId;
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
