/** What stops a publish: a missing repository, no provenance, not GitHub Actions. */
export function publishProblems(manifest: { repository?: string | { url?: string } }, env: Record<string, string | undefined>): string[];
