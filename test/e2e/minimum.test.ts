// The oldest n8n the README names: the core scenarios (every credential type's Test button, good
// and broken; one call per type through Configured API Call and n8n's HTTP Request node; a
// token stored and reused across executions) are credentials.test.ts, run on that version.
import { MINIMUM_N8N } from '../../scripts/versions.mjs';

process.env.E2E_N8N_VERSION = MINIMUM_N8N;
await import('./credentials.test.ts');
