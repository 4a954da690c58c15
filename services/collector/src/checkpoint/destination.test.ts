import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../testing/temp-dirs.js';
import { CHECKPOINT_FILE } from './checkpoint-store.js';
import { claimDestination, DESTINATION_FILE, forgetDeliveries } from './destination.js';

const dirs = tempDirs('cctap-destination-');
afterEach(() => dirs.removeAll());

/** A state directory with two checkpoint entries and delivered-line records of one session. */
function stateWithDeliveries(): string {
  const dir = dirs.make();
  writeFileSync(join(dir, CHECKPOINT_FILE), JSON.stringify({ version: 1, files: { a: {}, b: {} } }));
  mkdirSync(join(dir, 'delivered'));
  writeFileSync(join(dir, 'delivered', '0123456789abcdef.lines'), Buffer.alloc(8));
  writeFileSync(join(dir, 'delivered', '0123456789abcdef.meta'), Buffer.alloc(8));
  return dir;
}

const A = { id: 'nats:CCTAP_RAW@2026-01-01T00:00:00Z', label: 'stream A' };
const B = { id: 'nats:CCTAP_RAW@2026-02-01T00:00:00Z', label: 'stream B' };

describe('claimDestination', () => {
  it('adopts state without a record, keeps it for the same destination, forgets it for another', () => {
    const dir = stateWithDeliveries();
    expect(claimDestination(dir, A)).toEqual({ kind: 'first' });
    expect(existsSync(join(dir, CHECKPOINT_FILE))).toBe(true);
    expect(claimDestination(dir, { ...A, label: 'stream A, renamed' })).toEqual({ kind: 'same' });
    expect(claimDestination(dir, B)).toEqual({
      kind: 'changed',
      previous: { ...A, label: 'stream A, renamed' },
      forgotten: { files: 2, sessions: 1 },
    });
    expect(existsSync(join(dir, CHECKPOINT_FILE))).toBe(false);
    expect(existsSync(join(dir, 'delivered'))).toBe(false);
    expect(claimDestination(dir, B)).toEqual({ kind: 'same' });
  });

  it('takes an unreadable record as another destination', () => {
    const dir = stateWithDeliveries();
    writeFileSync(join(dir, DESTINATION_FILE), '{"id":');
    expect(claimDestination(dir, A)).toMatchObject({ kind: 'changed', forgotten: { files: 2, sessions: 1 } });
  });

  it('forgetDeliveries on an empty directory forgets nothing', () => {
    expect(forgetDeliveries(dirs.make())).toEqual({ files: 0, sessions: 0 });
  });
});
