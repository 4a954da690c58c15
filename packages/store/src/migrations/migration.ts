/** A numbered schema change. `statements` is a function of the retention settings so TTLs are configurable. */
export interface RetentionSettings {
  /** Days `events` and `derived` keep a row after it was stored (the bulk of the data: payload text). 0 = forever. */
  eventsTtlDays: number;
  /**
   * Always 0: `usage` is the token and cost history and is never expired (012). Kept as a field because
   * 002 reads it when it creates the table.
   */
  usageTtlDays: number;
  /** Days `invalid_events` keeps rows. 0 = forever. */
  invalidTtlDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { eventsTtlDays: 400, usageTtlDays: 0, invalidTtlDays: 30 };

export interface Migration {
  /** Applied in ascending order; never renumber or edit an applied migration, add a new one. */
  readonly version: number;
  readonly name: string;
  /**
   * Brings an embedded store created before to what embedded-form.ts now gives every table it creates: run only
   * on an embedded store that had migrations applied before this run. A store this run creates has its tables
   * in that form already, and a server has no use for it; both record the migration with nothing to do.
   */
  readonly embeddedCatchUp?: boolean;
  statements(settings: RetentionSettings): string[];
}

/** `TTL <expr> + INTERVAL n DAY`, or nothing when the retention is 0 (keep forever). */
export function ttlClause(column: string, days: number): string {
  return days > 0 ? `TTL toDateTime(${column}) + INTERVAL ${Math.floor(days)} DAY` : '';
}
