// The test rig: PKI, a generic API server and a strict OAuth2 server.
export * from './certs.ts';
export * from './http.ts';
export * from './servers.ts';
export * from './oauth2Server.ts';
