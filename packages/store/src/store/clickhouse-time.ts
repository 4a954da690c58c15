/**
 * ISO-8601 UTC (`2026-02-12T16:02:27.718Z`) -> ClickHouse DateTime64(3) text (`2026-02-12 16:02:27.718`).
 * Done here rather than with `date_time_input_format=best_effort`, so inserts parse the same on any server.
 */
export function toClickHouseTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO timestamp: '${iso}'`);
  return new Date(ms).toISOString().slice(0, 23).replace('T', ' ');
}
