import { describe, expect, it } from 'vitest';
import { BackfillProgress, type CollectorProgress } from './backfill-progress.js';

describe('BackfillProgress', () => {
  it('knows the total before reading; the tailer figure replaces the estimate; a file is done once read in full', () => {
    const seen: CollectorProgress[] = [];
    const p = new BackfillProgress({ eventsPublished: () => 0 });
    p.events.on('progress', (x) => seen.push(x));
    p.expect('a', 1000);
    p.expect('b', 500);
    p.expect('c', 300);
    p.maybeEmit(true);
    expect(seen[0]).toMatchObject({ filesTotal: 3, filesDone: 0, bytesTotal: 1800, bytesRead: 0 });
    // b starts at its end (--since), c was resumed further on than its checkpoint said, a grew.
    p.track('b', 0);
    p.track('c', 100);
    p.track('a', 1200);
    p.track('a', 5); // a second look at a file does not move the total
    p.read('a', 600);
    expect(p.snapshot()).toMatchObject({ filesTotal: 3, filesDone: 1, bytesTotal: 1300, bytesRead: 600 });
    p.read('a', 600);
    p.read('c', 100);
    expect(p.snapshot()).toMatchObject({ filesDone: 3, bytesTotal: 1300, bytesRead: 1300 });
  });
});
