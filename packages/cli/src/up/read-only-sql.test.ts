import { describe, expect, it } from 'vitest';
import { assertReadOnlySql, ReadOnlySqlError } from './read-only-sql.js';

describe('assertReadOnlySql', () => {
  it.each(['SELECT 1', ' select count() from events;', 'WITH x AS (SELECT 1) SELECT * FROM x', 'SHOW TABLES', 'DESCRIBE events', "SELECT ';DROP TABLE x' AS s"])('accepts %s', (sql) => {
    expect(() => assertReadOnlySql(sql)).not.toThrow();
  });

  it.each(['DROP TABLE events', 'INSERT INTO events VALUES (1)', 'SELECT 1; DROP TABLE events', 'SELECT 1 SETTINGS readonly=0', "SELECT 1 INTO OUTFILE '/tmp/x'", '/* SELECT */ ALTER TABLE events DELETE WHERE 1', 'SET readonly=0'])('rejects %s', (sql) => {
    expect(() => assertReadOnlySql(sql)).toThrow(ReadOnlySqlError);
  });
});
