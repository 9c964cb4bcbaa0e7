// Key material whose passphrase is a canary: an encrypted PEM key, a PKCS#12 file and an
// encrypted JWT signing key. The key material itself cannot hold a canary; the canary module
// registers its base64 lines instead.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** The key, PKCS#8 PEM encrypted (AES-256-CBC) with `passphrase`. */
export function encryptPem(key: string | KeyObject, passphrase: string): string {
	const object = typeof key === 'string' ? createPrivateKey(key) : key;
	return object.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
}

/** A PKCS#12 file (base64) of an RSA key and its certificate, protected with `passphrase`. */
export function pkcs12(keyPem: string, certPem: string, passphrase: string): string {
	const keyPkcs1 = createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }) as string;
	const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(keyPkcs1), [forge.pki.certificateFromPem(certPem)], passphrase, {
		algorithm: 'aes256',
	});
	return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary').toString('base64');
}

/** Every unencrypted PEM form of a key: what a leak of the decrypted key would show. */
export function plainForms(key: string | KeyObject): string[] {
	const object = typeof key === 'string' ? createPrivateKey(key) : key;
	const forms = [object.export({ type: 'pkcs8', format: 'pem' }) as string];
	if (object.asymmetricKeyType === 'rsa') forms.push(object.export({ type: 'pkcs1', format: 'pem' }) as string);
	if (object.asymmetricKeyType === 'ec') forms.push(object.export({ type: 'sec1', format: 'pem' }) as string);
	return forms;
}

export function ecKeyPair() {
	return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}
