// Test PKI made at test time, so no key or certificate is ever committed.
// Keys come from node:crypto (much faster than forge's JS keygen); node-forge builds the
// X.509 structures and the PKCS#12 files. Forge can only put RSA keys into a certificate, so
// the certificate body is built by forge with a placeholder key, the real SubjectPublicKeyInfo
// is spliced in, and node:crypto signs it. That one path serves RSA and EC certificates alike.
import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface CertKey {
	/** PEM certificate (for a chain: leaf first, then the intermediate). */
	cert: string;
	/** PEM private key, PKCS#8, unencrypted. */
	key: string;
	/** The subject's common name. */
	cn: string;
}

/** RSA client certificate with its key in every PEM form users paste. */
export interface RsaClientCert extends CertKey {
	keyPkcs1: string; // -----BEGIN RSA PRIVATE KEY-----
	keyPkcs8: string; // -----BEGIN PRIVATE KEY-----
	keyPkcs8Encrypted: string; // -----BEGIN ENCRYPTED PRIVATE KEY----- (passphrase)
	keyPkcs1Encrypted: string; // legacy Proc-Type/DEK-Info headers (passphrase)
	passphrase: string;
}

/** EC P-256 client certificate. */
export interface EcClientCert extends CertKey {
	keySec1: string; // -----BEGIN EC PRIVATE KEY-----
	keyPkcs8: string;
}

export interface Pki {
	/** The passphrase of every encrypted key and of `pfx`. */
	passphrase: string;
	ca: CertKey;
	/** A CA nobody trusts. */
	otherCa: CertKey;
	/** Intermediate CA signed by `ca` (issues `clientChain`). */
	intermediate: CertKey;
	/** localhost + 127.0.0.1, signed by `ca`. */
	server: CertKey;
	serverExpired: CertKey;
	/** SAN only wrong.example. */
	serverWrongHost: CertKey;
	serverOtherCa: CertKey;
	client: RsaClientCert;
	clientEc: EcClientCert;
	/** Leaf signed by `intermediate`; `cert` holds leaf + intermediate. */
	clientChain: CertKey;
	clientOtherCa: CertKey;
	clientExpired: CertKey;
	/** PKCS#12 (base64) of `client` with `passphrase`. */
	pfx: string;
	/** PKCS#12 (base64) of `client` with an empty passphrase. */
	pfxNoPassphrase: string;
}

const PASSPHRASE = 'rig-Passphrase:1!';
const DAY = 86_400_000;
const oids = forge.pki.oids;
const getTBSCertificate = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

const generate = promisify(generateKeyPair);
const rsaKey = () => generate('rsa', { modulusLength: 2048 });
const ecKey = () => generate('ec', { namedCurve: 'P-256' });

interface Issuer {
	cn: string;
	key: KeyObject;
	ski: Buffer;
}

interface CertSpec {
	cn: string;
	publicKey: KeyObject;
	/** Omitted: self-signed with `signingKey`. */
	issuer?: Issuer;
	signingKey?: KeyObject;
	kind: 'ca' | 'server' | 'client';
	dns?: string[];
	ips?: string[];
	expired?: boolean;
}

const dn = (cn: string) => [
	{ name: 'commonName', value: cn },
	{ name: 'organizationName', value: 'API Connector Test Rig' },
];

function issue(spec: CertSpec): { pem: string; ski: Buffer } {
	const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
	const ski = createHash('sha1').update(spki).digest();
	const issuer = spec.issuer ?? { cn: spec.cn, key: spec.signingKey!, ski };
	const now = Date.now();

	const cert = forge.pki.createCertificate();
	// Positive serial: a leading 0x01 byte keeps the high bit clear.
	cert.serialNumber = `01${randomBytes(9).toString('hex')}`;
	cert.validity.notBefore = new Date(spec.expired ? now - 400 * DAY : now - DAY);
	cert.validity.notAfter = new Date(spec.expired ? now - 35 * DAY : now + 365 * DAY);
	cert.setSubject(dn(spec.cn));
	cert.setIssuer(dn(issuer.cn));

	const rsa = spec.publicKey.asymmetricKeyType === 'rsa';
	const extensions: object[] = [
		{
			name: 'subjectKeyIdentifier',
			value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.OCTETSTRING, false, ski.toString('binary')),
		},
		{ name: 'authorityKeyIdentifier', keyIdentifier: issuer.ski.toString('binary') },
	];
	if (spec.kind === 'ca') {
		extensions.push(
			{ name: 'basicConstraints', cA: true, critical: true },
			{ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
		);
	} else {
		extensions.push(
			{ name: 'basicConstraints', cA: false },
			{ name: 'keyUsage', digitalSignature: true, keyEncipherment: rsa, critical: true },
			spec.kind === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
		);
	}
	const altNames = [...(spec.dns ?? []).map((value) => ({ type: 2, value })), ...(spec.ips ?? []).map((ip) => ({ type: 7, ip }))];
	if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
	cert.setExtensions(extensions);

	// Placeholder key for forge; replaced below by the real SubjectPublicKeyInfo (index 6).
	const one = new forge.jsbn.BigInteger('1');
	cert.publicKey = forge.pki.setRsaPublicKey(one, one);
	cert.siginfo.algorithmOid = oids.sha256WithRSAEncryption;
	const tbs = getTBSCertificate(cert);
	(tbs.value as forge.asn1.Asn1[])[6] = forge.asn1.fromDer(spki.toString('binary'));

	const tbsDer = Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary');
	cert.tbsCertificate = tbs;
	cert.signatureOid = oids.sha256WithRSAEncryption; // every issuer here has an RSA key
	cert.signature = sign('sha256', tbsDer, issuer.key).toString('binary');
	// forge writes CRLF; use LF like OpenSSL and node:crypto.
	return { pem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), ski };
}

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;

async function build(): Promise<Pki> {
	const [caKp, otherCaKp, interKp, serverKp, clientKp, ecKp] = await Promise.all([
		rsaKey(),
		rsaKey(),
		rsaKey(),
		rsaKey(),
		rsaKey(),
		ecKey(),
	]);

	const ca = issue({ cn: 'Rig Test CA', publicKey: caKp.publicKey, signingKey: caKp.privateKey, kind: 'ca' });
	const otherCa = issue({ cn: 'Rig Untrusted CA', publicKey: otherCaKp.publicKey, signingKey: otherCaKp.privateKey, kind: 'ca' });
	const caIssuer: Issuer = { cn: 'Rig Test CA', key: caKp.privateKey, ski: ca.ski };
	const otherIssuer: Issuer = { cn: 'Rig Untrusted CA', key: otherCaKp.privateKey, ski: otherCa.ski };
	const inter = issue({ cn: 'Rig Intermediate CA', publicKey: interKp.publicKey, issuer: caIssuer, kind: 'ca' });
	const interIssuer: Issuer = { cn: 'Rig Intermediate CA', key: interKp.privateKey, ski: inter.ski };

	// Leaf certificates share keys: only the certificates need to differ.
	const serverKey = pkcs8(serverKp.privateKey);
	const server = (cn: string, issuer: Issuer, dns: string[], ips: string[], expired = false): CertKey => ({
		cn,
		cert: issue({ cn, publicKey: serverKp.publicKey, issuer, kind: 'server', dns, ips, expired }).pem,
		key: serverKey,
	});
	const clientKey = pkcs8(clientKp.privateKey);
	const client = (cn: string, issuer: Issuer, expired = false): CertKey => ({
		cn,
		cert: issue({ cn, publicKey: clientKp.publicKey, issuer, kind: 'client', expired }).pem,
		key: clientKey,
	});

	const rsaClient = client('rig-client', caIssuer);
	const encrypted = { cipher: 'aes-256-cbc', passphrase: PASSPHRASE } as const;
	const keyPkcs1 = clientKp.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
	const chainLeaf = client('rig-client-chain', interIssuer);

	// PKCS#12 of the RSA client. Forge puts the certificate bag unencrypted and the key in a
	// PBES2/AES-256 shrouded bag with a SHA-1 MAC: all accepted by OpenSSL 3 without the
	// legacy provider (forge's RC2 default would not be).
	const p12 = (passphrase: string) =>
		Buffer.from(
			forge.asn1
				.toDer(
					forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPkcs1), [forge.pki.certificateFromPem(rsaClient.cert)], passphrase, {
						algorithm: 'aes256',
					}),
				)
				.getBytes(),
			'binary',
		).toString('base64');

	return {
		passphrase: PASSPHRASE,
		ca: { cn: 'Rig Test CA', cert: ca.pem, key: pkcs8(caKp.privateKey) },
		otherCa: { cn: 'Rig Untrusted CA', cert: otherCa.pem, key: pkcs8(otherCaKp.privateKey) },
		intermediate: { cn: 'Rig Intermediate CA', cert: inter.pem, key: pkcs8(interKp.privateKey) },
		server: server('localhost', caIssuer, ['localhost'], ['127.0.0.1']),
		serverExpired: server('localhost', caIssuer, ['localhost'], ['127.0.0.1'], true),
		serverWrongHost: server('wrong.example', caIssuer, ['wrong.example'], []),
		serverOtherCa: server('localhost', otherIssuer, ['localhost'], ['127.0.0.1']),
		client: {
			...rsaClient,
			keyPkcs1,
			keyPkcs8: clientKey,
			keyPkcs8Encrypted: clientKp.privateKey.export({ type: 'pkcs8', format: 'pem', ...encrypted }) as string,
			keyPkcs1Encrypted: clientKp.privateKey.export({ type: 'pkcs1', format: 'pem', ...encrypted }) as string,
			passphrase: PASSPHRASE,
		},
		clientEc: {
			cn: 'rig-client-ec',
			cert: issue({ cn: 'rig-client-ec', publicKey: ecKp.publicKey, issuer: caIssuer, kind: 'client' }).pem,
			key: pkcs8(ecKp.privateKey),
			keyPkcs8: pkcs8(ecKp.privateKey),
			keySec1: ecKp.privateKey.export({ type: 'sec1', format: 'pem' }) as string,
		},
		clientChain: { ...chainLeaf, cert: chainLeaf.cert + inter.pem },
		clientOtherCa: client('rig-client-other-ca', otherIssuer),
		clientExpired: client('rig-client-expired', caIssuer, true),
		pfx: p12(PASSPHRASE),
		pfxNoPassphrase: p12(''),
	};
}

let pki: Promise<Pki> | undefined;

/** The test PKI, generated once per process. */
export function makePki(): Promise<Pki> {
	pki ??= build();
	return pki;
}
