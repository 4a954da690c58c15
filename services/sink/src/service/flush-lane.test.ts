import { describe, expect, it } from 'vitest';
import { FlushLane } from './flush-lane.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('FlushLane', () => {
  it('starts the first part at once and joins parts that arrive during a flush into the next one', async () => {
    const flushes: number[][] = [];
    const gates: Array<() => void> = [];
    const lane = new FlushLane<number>(async (parts) => {
      flushes.push(parts);
      await new Promise<void>((r) => gates.push(r));
    });
    const settled: number[] = [];
    const p1 = lane.add(1).then(() => settled.push(1));
    await tick();
    expect(flushes).toEqual([[1]]);
    const p2 = lane.add(2).then(() => settled.push(2));
    const p3 = lane.add(3).then(() => settled.push(3));
    await tick();
    expect(flushes).toEqual([[1]]); // one in flight: 2 and 3 wait, filled together
    gates.shift()!();
    await p1;
    await tick();
    expect(settled).toEqual([1]);
    expect(flushes).toEqual([[1], [2, 3]]);
    gates.shift()!();
    await Promise.all([p2, p3]);
    expect(settled).toEqual([1, 2, 3]);
  });

  it('rejects every part of a failed flush and keeps serving later ones', async () => {
    let fail = true;
    const lane = new FlushLane<string>(async () => {
      if (fail) throw new Error('store down');
    });
    await expect(lane.add('a')).rejects.toThrow('store down');
    fail = false;
    await expect(lane.add('b')).resolves.toBeUndefined();
  });
});
