// Where things are: the package's folder, and the cache folder where the tools keep what they
// download once (Node 24, the n8n used by the e2e tests).
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const cacheDir =
	process.env.API_CONNECTOR_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'n8n-nodes-api-connector');
