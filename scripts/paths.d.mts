/** The package's folder. */
export const root: string;
/** Where the tools keep what they download once: Node 24 and the n8n used by the e2e tests. */
export const cacheDir: string;
