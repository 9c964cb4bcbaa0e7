// The n8n versions the package is tested on: the one the e2e suite runs, and the oldest the
// README names (test/e2e/minimum.test.ts runs the core scenarios on it).
export const N8N_VERSION = '2.41.1';
export const MINIMUM_N8N = '2.20.12';
