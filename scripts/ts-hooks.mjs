// Module hooks that let Node run the package's TypeScript sources directly, for the unit tests
// (npm run test:unit): extensionless relative imports find their .ts file, and n8n-workflow
// loads through its CommonJS build (its ESM build does not load under Node's native ESM).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const workflow = pathToFileURL(require.resolve('n8n-workflow')).href;

export async function resolve(specifier, context, next) {
	if (specifier === 'n8n-workflow') return { url: workflow, shortCircuit: true, format: 'commonjs' };
	if (/^\.\.?\//.test(specifier) && !/\.[cm]?[jt]s$/.test(specifier)) {
		try {
			return await next(`${specifier}.ts`, context);
		} catch {
			// not a .ts file: let Node report the original specifier
		}
	}
	return await next(specifier, context);
}
