// The README's by-hand install of the package file, in ~/.n8n/nodes (without the file's name).
// The e2e suite installs with exactly this, and a unit test checks the README says it.
export const INSTALL_ARGS = ['install', '--legacy-peer-deps'];
