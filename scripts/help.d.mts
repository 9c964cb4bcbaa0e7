/** Prints `text` and exits when the script was called with --help or -h. */
export function helpOnRequest(text: string): void;
