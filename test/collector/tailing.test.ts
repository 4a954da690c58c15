/**
 * Tailing edge cases against a real nats-server: each test runs a live collector over its own tree and
 * checks what JetStream stored, byte range by byte range.
 */
import { mkdirSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CollectorService } from '@cctap/collector';
import { coverage, fileBatches, harnessPerFile, idsOfPath, waitFor } from './support/harness.js';
import { append, projectFile, settled, startCollector, userLine, waitCovered } from './support/transcripts.js';

const env = harnessPerFile();
let hostSeq = 0;

async function live(): Promise<{ root: string; host: string; c: CollectorService }> {
  const root = env.dir('root');
  const stateDir = env.dir('state');
  mkdirSync(join(root, 'projects'), { recursive: true });
  const host = `tail-${++hostSeq}`;
  const c = startCollector(env.h, { roots: [root], stateDir, host });
  env.running.push(c);
  await c.start();
  return { root, host, c };
}

describe('collector tailing', () => {
  it('burst then idle: every line of a fast burst arrives without another write', async () => {
    const { root, host } = await live();
    const f = projectFile(root, '-work-proj', 'burst.jsonl');
    for (let i = 0; i < 200; i++) append(f, userLine(`burst ${i}`));
    await waitCovered(env.h, host, f, statSync(f).size);
    const events = fileBatches(await env.h.batches(host)).flatMap((b) => b.events);
    expect(events.filter((e) => e.type === 'prompt')).toHaveLength(200);
  });

  it('a partial last line waits for its newline, then arrives whole', async () => {
    const { root, host, c } = await live();
    const f = projectFile(root, '-work-proj', 'partial.jsonl');
    append(f, userLine('first'));
    const full = userLine('second, written in two parts');
    append(f, full.slice(0, 40));
    const firstEnd = statSync(f).size - 40;
    await waitCovered(env.h, host, f, firstEnd);
    await settled(c);
    // Nothing beyond the complete line was published while the line was incomplete.
    const id = idsOfPath(await env.h.batches(host), f)[0]!;
    expect(coverage(await env.h.batches(host)).ranges.get(id)).toEqual([[0, firstEnd]]);
    append(f, full.slice(40));
    await waitCovered(env.h, host, f, statSync(f).size);
    const prompts = fileBatches(await env.h.batches(host))
      .flatMap((b) => b.events)
      .filter((e) => e.type === 'prompt');
    expect(prompts.map((e) => (e.payload as { text: string | null }).text)).toEqual([
      'first',
      'second, written in two parts',
    ]);
  });

  it('rotate-create: the renamed file is finished and the new file starts at byte 0 as a new identity', async () => {
    const { root, host } = await live();
    const f = projectFile(root, '-work-proj', 'rot.jsonl');
    append(f, userLine('old 1'));
    await waitCovered(env.h, host, f, statSync(f).size);
    append(f, userLine('old 2'));
    renameSync(f, `${f}.1`);
    append(f, userLine('new 1'));
    // The old content, including the line appended just before the rename, is covered to its end, and the new
    // file from byte 0 under another identity. Told apart by coverage, not by which is covered first: the new
    // file's size equals the old one's first line, so "the first identity covering [0, new size)" can be the
    // old one while its last batch is still on its way.
    const newSize = statSync(f).size;
    const oldSize = statSync(`${f}.1`).size;
    await waitFor('the old identity finished and the new one read', async () => {
      const bs = await env.h.batches(host);
      const ranges = idsOfPath(bs, f)
        .map((id) => JSON.stringify(coverage(bs).ranges.get(id)))
        .sort();
      return (
        JSON.stringify(ranges) ===
        JSON.stringify([JSON.stringify([[0, newSize]]), JSON.stringify([[0, oldSize]])].sort())
      );
    });
  });

  it('copytruncate: a truncated file is read again from byte 0 under a new identity', async () => {
    const { root, host } = await live();
    const f = projectFile(root, '-work-proj', 'ct.jsonl');
    for (let i = 0; i < 5; i++) append(f, userLine(`before ${i}`));
    const firstId = await waitCovered(env.h, host, f, statSync(f).size);
    copyFileSync(f, join(root, 'ct.jsonl.bak'));
    truncateSync(f, 0);
    append(f, userLine('after truncate'));
    const secondId = await waitCovered(env.h, host, f, statSync(f).size);
    expect(secondId).not.toBe(firstId);
  });

  it('copytruncate with a faster rewrite (size never shrinks below the offset) is caught by the head check', async () => {
    const { root, host } = await live();
    const f = projectFile(root, '-work-proj', 'ct2.jsonl');
    append(f, userLine('short'));
    const firstId = await waitCovered(env.h, host, f, statSync(f).size);
    writeFileSync(f, userLine('a longer first line replaces the old content entirely') + userLine('and more'));
    const secondId = await waitCovered(env.h, host, f, statSync(f).size);
    expect(secondId).not.toBe(firstId);
  });

  it('delete while open: lines written just before the unlink are still published', async () => {
    const { root, host } = await live();
    const f = projectFile(root, '-work-proj', 'del.jsonl');
    append(f, userLine('one'));
    await waitCovered(env.h, host, f, statSync(f).size);
    append(f, userLine('two'));
    append(f, userLine('three'));
    const size = statSync(f).size;
    unlinkSync(f);
    await waitCovered(env.h, host, f, size);
  });

  it('a 2 MiB line is published (truncated strings, never dropped) and so is a binary garbage line', async () => {
    const { root, host } = await live();
    const f = projectFile(root, '-work-proj', 'big.jsonl');
    append(f, userLine('x'.repeat(2 * 1024 * 1024)));
    append(f, Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b, 0xc3, 0x28, 0x0a]));
    append(f, userLine('after garbage'));
    await waitCovered(env.h, host, f, statSync(f).size, 20_000);
    const events = fileBatches(await env.h.batches(host)).flatMap((b) => b.events);
    expect(events.map((e) => e.type)).toEqual(['prompt', 'malformed', 'prompt']);
    const big = events[0]!.payload as { text: string; chars: number };
    expect(big.chars).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(big.text.length).toBeLessThan(300_000);
  });

  it('a new project folder and a new subagent folder created while running are picked up', async () => {
    const { root, host } = await live();
    const main = projectFile(root, '-new-proj', 'sess-1.jsonl');
    append(main, userLine('in a new project', 'sess-1'));
    await waitCovered(env.h, host, main, statSync(main).size);
    const sub = join(root, 'projects', '-new-proj', 'sess-1', 'subagents', 'agent-a1b2c3d.jsonl');
    append(sub, userLine('subagent line', 'sess-1'));
    await waitCovered(env.h, host, sub, statSync(sub).size);
    const flat = projectFile(root, '-new-proj', 'agent-e1c84ba5.jsonl');
    append(flat, userLine('flat subagent', 'sess-1'));
    await waitCovered(env.h, host, flat, statSync(flat).size);
  });
});
