/**
 * The embedded engine runs several `;`-separated statements in one call, and after one of them fails it
 * hands the earlier statements' output to the next query on the session. Read-only questions (`cctap sql`,
 * the only SQL that comes from a person) are therefore checked to be one statement before they reach it.
 * ClickHouse servers refuse several statements per HTTP request on their own.
 */
import { StoreQueryError } from './errors.js';

/** Removes string literals, quoted identifiers and comments, so `;` is looked for in the SQL itself. */
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

/** Returns the statement without a trailing `;`; throws StoreQueryError when there is more than one. */
export function oneStatement(sql: string): string {
  if (skeleton(sql).replace(/;\s*$/, '').includes(';')) throw new StoreQueryError('one statement per query');
  return sql.trim().replace(/;\s*$/, '');
}
