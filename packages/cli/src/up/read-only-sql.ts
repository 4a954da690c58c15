/**
 * The loopback endpoint's guard for `cctap sql`. `runSql` asks ClickHouse for readonly=2, but the embedded
 * engine keeps a query's settings for the rest of its session: on the store `up` shares with its sink, every
 * later insert would fail. So the endpoint checks the statement itself: one statement, starting with a
 * reading keyword, and no SETTINGS that could change what the session may do.
 */
export class ReadOnlySqlError extends Error {
  override readonly name = 'ReadOnlySqlError';
}

const READING = /^(SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN|EXISTS)\b/i;

/** Removes comments and string literals, so keywords and `;` are looked for in the SQL itself. */
function skeleton(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.|'')*'/g, "''")
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/`(?:[^`\\]|\\.)*`/g, '``')
    .replace(/--[^\n]*/g, ' ')
    .replace(/#[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .trim();
}

export function assertReadOnlySql(sql: string): string {
  const s = skeleton(sql).replace(/;\s*$/, '');
  if (!READING.test(s)) throw new ReadOnlySqlError('read-only queries only (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS)');
  if (s.includes(';')) throw new ReadOnlySqlError('one statement per query');
  if (/\bSETTINGS\b/i.test(s) || /\bINTO\s+OUTFILE\b/i.test(s)) throw new ReadOnlySqlError('SETTINGS and INTO OUTFILE are not accepted while cctap up owns the store');
  return sql.trim().replace(/;\s*$/, '');
}
