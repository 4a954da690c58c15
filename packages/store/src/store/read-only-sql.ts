/**
 * The gate for SQL that comes from a person (`cctap sql`, directly or through a running `cctap up`): one
 * reading statement that touches nothing but the store's own tables.
 *
 * Why a gate on top of the engine's read-only mode: `readonly` refuses writes, DDL, SET and the table
 * functions that reach files or the network (file(), url(), s3(), remote(), executable(), …), but it lets
 * through `INTO OUTFILE` (the client writes the file) and the scalar `file()` function (it reads any file the
 * process can, raw transcripts included). The embedded engine also runs several `;`-separated statements in
 * one call and, after one fails, hands the earlier statements' output to the next query on the session. So a
 * question is checked here first, on both store kinds, and the engine's read-only session is the second wall.
 *
 * The check works on the statement's skeleton: string literals, quoted identifiers and comments removed, so a
 * word inside a string (`WHERE text LIKE '%file(%'`) never trips it.
 */
import { StoreQueryError } from './errors.js';

/** Removes string literals, quoted identifiers and comments, so keywords are looked for in the SQL itself. */
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

/** Statements a question may start with. */
const READING = /^\(*\s*(?:SELECT|WITH|SHOW|DESCRIBE|DESC|EXPLAIN|EXISTS)\b/i;

/**
 * Functions and table functions that read or write outside the store. `readonly` already refuses most table
 * functions; they are listed anyway so the server store (which runs questions at readonly=2, where settings
 * stay changeable for the client's own) refuses them too.
 */
const OUTSIDE = new RegExp(
  `\\b(?:${[
    'file',
    'fileCluster',
    'url',
    'urlCluster',
    's3',
    's3Cluster',
    'gcs',
    'hdfs',
    'hdfsCluster',
    'azureBlobStorage',
    'azureBlobStorageCluster',
    'remote',
    'remoteSecure',
    'cluster',
    'clusterAllReplicas',
    'mysql',
    'postgresql',
    'mongodb',
    'redis',
    'sqlite',
    'jdbc',
    'odbc',
    'executable',
    'iceberg',
    'deltaLake',
    'hudi',
  ].join('|')})\\s*\\(`,
  'i',
);

/** Returns the statement without a trailing `;`; throws StoreQueryError (one line, says what to do) when refused. */
export function readOnlyStatement(sql: string): string {
  const s = skeleton(sql).replace(/;\s*$/, '');
  if (s.includes(';')) throw new StoreQueryError('one statement per query');
  if (!READING.test(s))
    throw new StoreQueryError('only reading statements are allowed (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN)');
  if (/\bINTO\s+OUTFILE\b/i.test(s))
    throw new StoreQueryError('INTO OUTFILE is not allowed: use --format json and redirect the output');
  if (/\bSETTINGS\b/i.test(s)) throw new StoreQueryError('SETTINGS clauses are not allowed in questions');
  const outside = OUTSIDE.exec(s);
  if (outside)
    throw new StoreQueryError(`${outside[0].replace(/\s*\($/, '')}() reaches outside the store and is not allowed`);
  // A quoted name called as a function (`file`(…), "url"(…)) would slip past the list above.
  if (/(?:``|"")\s*\(/.test(s)) throw new StoreQueryError('quoted function names are not allowed');
  return sql.trim().replace(/;\s*$/, '');
}
