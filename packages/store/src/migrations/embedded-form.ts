/**
 * The embedded engine's form of the migrations' DDL: every MergeTree table it creates removes the parts a merge
 * replaced within a second, not at its next half-minute cleanup.
 *
 * A merge leaves its source parts on disk, marked outdated, until the table's cleanup comes: every
 * `cleanup_delay_period` (30 s) plus up to `cleanup_delay_period_random_add` (10 s). The embedded engine (whose
 * `old_parts_lifetime` is 0) lives only as long as the process that opened it, and it does not clean up when it
 * closes: `cctap up --once`, a report, `cctap sql` end before that cleanup comes. The parts of the merges of
 * their last half-minute stay, and every later process that opens the store loads them again, in the
 * background of its first queries and its close. A store filled by `cctap up --once` on 1 GB held 118 outdated
 * parts of `events` beside 23 live parts in all: a cold `cctap report daily` took 1.55-1.92 s with them and
 * 1.19-1.23 s once they were gone (opening the engine 311-437 ms against 187-205, closing it 100-310 ms against
 * 16-33).
 *
 * The engine reads the period when it starts a table: a table created with it cleans up within a second at
 * once, a table given it by ALTER (migration 015, for stores created before) from the next process that opens
 * the store. A server runs for weeks and keeps outdated parts for `old_parts_lifetime` (480 s) anyway, and in a
 * cluster every cleanup also cleans Keeper; so only the embedded engine's tables carry it.
 */
export const PROMPT_CLEANUP = 'cleanup_delay_period = 1, cleanup_delay_period_random_add = 0';

const CREATE_MERGE_TREE = /^\s*CREATE TABLE\b[\s\S]*\bENGINE\s*=\s*\w*MergeTree\b/;
/** A table's own SETTINGS clause closes the statement: nothing after it but `name = value` pairs. */
const TRAILING_SETTINGS = /\sSETTINGS\s+[^()]*$/;

/** One migration statement as the embedded engine runs it: a MergeTree table gets PROMPT_CLEANUP, the rest is as written. */
export function embeddedForm(sql: string): string {
  if (!CREATE_MERGE_TREE.test(sql)) return sql;
  const text = sql.trimEnd();
  return TRAILING_SETTINGS.test(text) ? `${text}, ${PROMPT_CLEANUP}` : `${text}\n    SETTINGS ${PROMPT_CLEANUP}`;
}
