/**
 * Post-mortem SQL views over the events table, created by the journal's migrations.
 * Each entry is one `CREATE VIEW` statement; the list is owned by the post-mortem work (issue 7).
 */
export const POSTMORTEM_VIEWS: readonly { name: string; sql: string }[] = [];
