/** The README's by-hand install arguments of npm, before the package file. */
export const INSTALL_ARGS: string[];
