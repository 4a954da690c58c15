import { describe, expect, it } from 'vitest';
import {
  classifyStoreError,
  isUnknownTable,
  StoreQueryError,
  StoreResourceError,
  StoreUnavailableError,
} from './errors.js';

const ch = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('classifyStoreError', () => {
  it('holds and retries when the store is out of disk, memory, parts, descriptors or time (never dead-letters)', () => {
    for (const e of [
      ch('Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)'),
      ch('Too many parts (3000) in all partitions in total in table', '252'),
      ch('Code: 241. DB::Exception: Memory limit (total) exceeded: would use 3.5 GiB. (MEMORY_LIMIT_EXCEEDED)'),
      ch('Code: 159. DB::Exception: Timeout exceeded: elapsed 30 seconds. (TIMEOUT_EXCEEDED)'),
      ch(
        'Code: 76. DB::ErrnoException: Cannot open file /data/store/tmp_insert/data.bin, errno: 24, strerror: Too many open files. (CANNOT_OPEN_FILE)',
      ),
      ch(
        'Code: 75. DB::ErrnoException: Cannot write to file /x, errno: 28, strerror: No space left on device. (CANNOT_WRITE_TO_FILE_DESCRIPTOR)',
      ),
      ch('write EMFILE', 'EMFILE'),
    ]) {
      const c = classifyStoreError(e);
      expect(c, e.message).toBeInstanceOf(StoreResourceError);
      expect(c).toBeInstanceOf(StoreUnavailableError);
    }
  });

  it('rejects what is wrong with the request itself, and keeps network failures retryable', () => {
    expect(
      classifyStoreError(ch('Code: 62. DB::Exception: Syntax error: failed at position 1. (SYNTAX_ERROR)')),
    ).toBeInstanceOf(StoreQueryError);
    expect(
      classifyStoreError(ch('Code: 76. DB::Exception: Cannot open file /nope: No such file. (CANNOT_OPEN_FILE)')),
    ).toBeInstanceOf(StoreQueryError);
    // Same code as TOO_MANY_PARTS, but about the block's shape: holding would wait for ever.
    expect(
      classifyStoreError(
        ch('Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 100). (TOO_MANY_PARTS)'),
      ),
    ).toBeInstanceOf(StoreQueryError);
    const net = classifyStoreError(ch('connect ECONNREFUSED 127.0.0.1:8123', 'ECONNREFUSED'));
    expect(net).toBeInstanceOf(StoreUnavailableError);
    expect(net).not.toBeInstanceOf(StoreResourceError);
  });
});

describe('isUnknownTable', () => {
  it('reads the ClickHouse code once, from the server client or from the embedded engine message', () => {
    const embedded = classifyStoreError(
      new Error("Code: 60. DB::Exception: Unknown table expression identifier 'usage'"),
    );
    expect(embedded).toBeInstanceOf(StoreQueryError);
    expect((embedded as StoreQueryError).code).toBe(60);
    expect(isUnknownTable(embedded)).toBe(true);
    const server = classifyStoreError(Object.assign(new Error('Database cctap does not exist'), { code: '81' }));
    expect(isUnknownTable(server)).toBe(true);
  });

  it('is false for any other refusal, whatever its words say', () => {
    const syntax = classifyStoreError(new Error('Code: 62. DB::Exception: Syntax error: the table does not exist'));
    expect((syntax as StoreQueryError).code).toBe(62);
    expect(isUnknownTable(syntax)).toBe(false);
    expect(isUnknownTable(new StoreQueryError('only reading statements are allowed'))).toBe(false);
    expect(isUnknownTable(new Error('Code: 60. Unknown table'))).toBe(false);
  });
});
