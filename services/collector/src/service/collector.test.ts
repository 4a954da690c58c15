import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus } from '@cctap/kit';
import { topology } from '@cctap/events';
import { createCollector } from './collector.js';
import { tempDirs } from '../testing/temp-dirs.js';

const { make: tmp, removeAll } = tempDirs('cctap-collector-');
afterEach(removeAll);

async function backfillOf(roots: string[]) {
  // No durable consumers: publish resolves at once, so only the collector's own idleness is measured.
  const bus = createInProcessBus({ topology: topology('t'), consumers: [] });
  const collector = createCollector({
    bus,
    roots,
    stateDir: tmp(),
    host: 'h',
    user: 'u',
    privacy: 'redacted',
    heartbeatMs: 0,
    subjectPrefix: 't',
  });
  const done = new Promise<{ filesTotal: number }>((resolve) => collector.events.once('backfill-done', resolve));
  await collector.start();
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000).unref());
  const result = await Promise.race([done, timeout]);
  await collector.stop('test');
  await bus.close();
  return result;
}

describe('collector backfill', () => {
  it('announces the end of the backfill when the roots hold no transcript at all', async () => {
    expect(await backfillOf([join(tmp(), 'missing-root')])).toMatchObject({ filesTotal: 0 });
  });

  it('announces it after reading the files that exist', async () => {
    const root = tmp();
    mkdirSync(join(root, 'projects', '-w'), { recursive: true });
    writeFileSync(join(root, 'projects', '-w', 's.jsonl'), '{"type":"summary","summary":"x","leafUuid":"u"}\n');
    expect(await backfillOf([root])).toMatchObject({ filesTotal: 1 });
  });
});
