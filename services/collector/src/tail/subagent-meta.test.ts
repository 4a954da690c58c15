import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSpawnDepth } from './subagent-meta.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-meta-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readSpawnDepth', () => {
  it('reads spawnDepth from the agent file sidecar', () => {
    writeFileSync(
      join(dir, 'agent-a1.meta.json'),
      JSON.stringify({ agentType: 'Explore', description: 'x', toolUseId: 'toolu_1', spawnDepth: 2 }),
    );
    expect(readSpawnDepth(join(dir, 'agent-a1.jsonl'))).toBe(2);
  });

  it('is undefined without a sidecar, for an older sidecar, a broken one, or a file that is not an agent transcript', () => {
    writeFileSync(
      join(dir, 'agent-a2.meta.json'),
      JSON.stringify({ agentType: 'statusline-setup', toolUseId: 'toolu_2' }),
    );
    writeFileSync(join(dir, 'agent-a3.meta.json'), '{"spawnDepth":');
    writeFileSync(join(dir, 'agent-a4.meta.json'), JSON.stringify({ spawnDepth: -1 }));
    writeFileSync(join(dir, 's.meta.json'), JSON.stringify({ spawnDepth: 1 }));
    for (const f of ['agent-a2.jsonl', 'agent-a3.jsonl', 'agent-a4.jsonl', 'agent-none.jsonl', 's.jsonl'])
      expect(readSpawnDepth(join(dir, f)), f).toBeUndefined();
  });
});
