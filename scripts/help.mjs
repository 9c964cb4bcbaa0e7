// `--help` for every script: prints what it does and exits, so a test can run each script of
// package.json without doing its work.
export function helpOnRequest(text) {
	if (!process.argv.includes('--help') && !process.argv.includes('-h')) return;
	console.log(text.trim());
	process.exit(0);
}
