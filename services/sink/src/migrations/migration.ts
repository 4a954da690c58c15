/** A numbered schema change. `statements` is a function of the retention settings so TTLs are configurable. */
export interface RetentionSettings {
  /** Days the `events` table keeps rows (the bulk of the data: payload text). 0 = forever. */
  eventsTtlDays: number;
  /** Days `usage` keeps rows: the accounting, kept longer than the text. 0 = forever. */
  usageTtlDays: number;
  /** Days `invalid_events` keeps rows. 0 = forever. */
  invalidTtlDays: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { eventsTtlDays: 400, usageTtlDays: 1825, invalidTtlDays: 30 };

export interface Migration {
  /** Applied in ascending order; never renumber or edit an applied migration, add a new one. */
  readonly version: number;
  readonly name: string;
  statements(settings: RetentionSettings): string[];
}

/** `TTL <expr> + INTERVAL n DAY`, or nothing when the retention is 0 (keep forever). */
export function ttlClause(column: string, days: number): string {
  return days > 0 ? `TTL toDateTime(${column}) + INTERVAL ${Math.floor(days)} DAY` : '';
}
