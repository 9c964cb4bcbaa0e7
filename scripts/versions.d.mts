/** The n8n version the e2e suite runs. */
export const N8N_VERSION: string;
/** The oldest n8n the README names, tested by test/e2e/minimum.test.ts. */
export const MINIMUM_N8N: string;
