// Where the tools keep what they download once: Node 24 and the n8n used by the e2e tests.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheDir =
	process.env.API_CONNECTOR_CACHE ??
	join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'n8n-nodes-api-connector');
