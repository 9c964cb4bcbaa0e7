import { createPrivateKey, X509Certificate, type KeyObject } from 'crypto';
import { UserError, type ICredentialDataDecryptedObject, type IHttpRequestOptions } from 'n8n-workflow';

import { readPemBlocks } from './pem';

// Turns the TLS block of a credential (see fields.ts) into the agent options that n8n's
// request layer passes to Node's TLS. The work is done once per credentials object: n8n hands
// the same object to every call of an execution.

export interface TlsAgentOptions {
	cert?: string;
	key?: string;
	passphrase?: string;
	pfx?: Buffer;
	ca?: string;
}

const derived = new WeakMap<object, TlsAgentOptions | null>();

function certificates(field: string, text: string): { pem: string; parsed: X509Certificate[] } {
	const blocks = readPemBlocks(field, text, 'CERTIFICATE').filter((b) => b.label === 'CERTIFICATE');
	if (blocks.length === 0) {
		throw new UserError(`${field}: no "-----BEGIN CERTIFICATE-----" block found.`);
	}
	const parsed = blocks.map((block) => parseCertificate(block.text));
	const bad = parsed.findIndex((certificate) => certificate === undefined);
	if (bad >= 0) {
		throw new UserError(`${field}: certificate ${bad + 1} is not a valid X.509 certificate.`);
	}
	return { pem: blocks.map((b) => b.text).join(''), parsed: parsed as X509Certificate[] };
}

function parseCertificate(pem: string): X509Certificate | undefined {
	try {
		return new X509Certificate(pem);
	} catch {
		return undefined;
	}
}

function privateKey(text: string, passphrase: string): { pem: string; key: KeyObject } {
	const block = readPemBlocks('Private Key', text, 'PRIVATE KEY').find((b) => b.label.endsWith('PRIVATE KEY'));
	if (!block) {
		throw new UserError('Private Key: no "-----BEGIN ... PRIVATE KEY-----" block found.');
	}
	return { pem: block.text, key: importPrivateKey('Private Key', block.text, passphrase) };
}

/** Imports a PEM private key, translating OpenSSL's errors into what the user should do. */
export function importPrivateKey(field: string, pem: string, passphrase: string): KeyObject {
	const encrypted = /ENCRYPTED/.test(pem);
	if (encrypted && !passphrase) {
		throw new UserError(`${field}: the key is encrypted. Enter its passphrase.`);
	}
	let reason = '';
	try {
		return createPrivateKey({ key: pem, format: 'pem', passphrase: encrypted ? passphrase : undefined });
	} catch (error) {
		reason = (error as Error).message;
	}
	if (encrypted && /bad decrypt|decrypt|passphrase/i.test(reason)) {
		throw new UserError(`${field}: wrong passphrase. The key could not be decrypted with it.`);
	}
	throw new UserError(`${field}: not a readable PEM private key (${reason}).`);
}

function build(c: ICredentialDataDecryptedObject): TlsAgentOptions | null {
	if (c.useTls !== true) return null;
	const options: TlsAgentOptions = {};
	const format = c.clientCertificateFormat as string;
	const passphrase = (c.passphrase as string) ?? '';
	if (format === 'pem') {
		if (!c.certificate || !c.privateKey) {
			throw new UserError('Client certificate: enter both the Certificate and the Private Key (PEM).');
		}
		const cert = certificates('Certificate', c.certificate as string);
		const key = privateKey(c.privateKey as string, passphrase);
		const leaf = cert.parsed[0];
		if (!leaf.checkPrivateKey(key.key)) {
			throw new UserError(
				`Client certificate: the private key does not belong to the certificate (${leaf.subject.replace(/\n/g, ', ')}). Paste the key that was issued with it.`,
			);
		}
		if (Date.parse(leaf.validTo) < Date.now()) {
			throw new UserError(`Client certificate: it expired on ${leaf.validTo}. Ask the API provider for a new one.`);
		}
		options.cert = cert.pem;
		options.key = key.pem;
		if (passphrase) options.passphrase = passphrase;
	} else if (format === 'pfx') {
		const base64 = ((c.pfx as string) ?? '').replace(/\s+/g, '');
		if (!base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
			throw new UserError('PKCS#12 File: paste the .p12/.pfx file as base64 (for example the output of base64 -w0 client.p12).');
		}
		options.pfx = Buffer.from(base64, 'base64');
		options.passphrase = passphrase;
	}
	if (c.caCertificates) {
		options.ca = certificates('CA Certificates', c.caCertificates as string).pem;
	}
	return Object.keys(options).length ? options : null;
}

/** The TLS options of a credential, or undefined when it has none. Throws on unusable input. */
export function tlsAgentOptions(credentials: ICredentialDataDecryptedObject): TlsAgentOptions | undefined {
	let options = derived.get(credentials);
	if (options === undefined) {
		options = build(credentials);
		derived.set(credentials, options);
	}
	return options ?? undefined;
}

/** Adds the credential's TLS options, if any, to a request. */
export function withTls(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): IHttpRequestOptions {
	const tls = tlsAgentOptions(credentials);
	// A new object: the caller's options (which n8n's HTTP Request node keeps for its error
	// report) never receive the key, the passphrase or the PKCS#12 file.
	return tls ? { ...requestOptions, agentOptions: { ...requestOptions.agentOptions, ...tls } } : requestOptions;
}
