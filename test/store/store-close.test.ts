/**
 * Closing the embedded store must finish in a process that has nothing else to do: its engine thread is
 * unref'd while idle, and a close that did not hold the process open exited Node in the middle of it (exit
 * code 13 under top-level await, a silent truncated run otherwise). Needs the built dist (`npm test` builds).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-store-close-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded store close', () => {
  it('runs to completion in a process that does nothing else', () => {
    const entry = pathToFileURL(join(REPO_ROOT, 'packages/store/dist/index.js')).href;
    const script = `
      const { openStore } = await import(${JSON.stringify(entry)});
      const s = await openStore({ dataDir: ${JSON.stringify(join(dir, 'data'))} });
      await s.query('SELECT 1');
      await s.close();
      console.log('closed');`;
    // A file, not `-e`: the engine's worker thread inherits the parent's exec arguments.
    const file = join(dir, 'close.mjs');
    writeFileSync(file, script);
    const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    expect(out.trim()).toBe('closed');
  });
});
