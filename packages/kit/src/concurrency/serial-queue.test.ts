import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('SerialQueue', () => {
  it('runs jobs one at a time, in the order queued, whatever their durations', async () => {
    const q = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const job = (name: string, ticks: number) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      for (let i = 0; i < ticks; i++) await tick();
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([q.run(job('a', 5)), q.run(job('b', 0)), q.run(job('c', 2))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failed job rejects its own promise only; the next jobs still run', async () => {
    const q = new SerialQueue();
    const failed = q.run(async () => {
      throw new Error('boom');
    });
    const thrown = q.run(() => {
      throw new Error('sync boom');
    });
    const next = q.run(async () => 42);
    await expect(failed).rejects.toThrow('boom');
    await expect(thrown).rejects.toThrow('sync boom');
    await expect(next).resolves.toBe(42);
  });

  it('idle waits for every job queued so far', async () => {
    const q = new SerialQueue();
    let done = 0;
    for (let i = 0; i < 3; i++)
      void q
        .run(async () => {
          await tick();
          done++;
          if (i === 1) throw new Error('one fails');
        })
        .catch(() => undefined);
    await q.idle();
    expect(done).toBe(3);
  });
});
