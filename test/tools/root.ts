import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's folder. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
