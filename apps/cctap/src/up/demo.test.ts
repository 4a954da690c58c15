import { describe, expect, it } from 'vitest';
import { demoPath } from './demo.js';

describe('demo layout', () => {
  it('puts each sample where its Claude Code version writes it', () => {
    const cwd = '/home/u/app';
    expect(demoPath({ sessionId: 's1', version: '1.0.98', cwd }, 'x.jsonl')).toBe('projects/-home-u-app/s1.jsonl');
    expect(demoPath({ sessionId: 's1', agentId: 'a1', isSidechain: true, version: '2.1.39', cwd }, 'x.jsonl')).toBe(
      'projects/-home-u-app/s1/subagents/agent-a1.jsonl',
    );
    expect(demoPath({ sessionId: 's1', agentId: 'a2', isSidechain: true, version: '2.0.76', cwd }, 'x.jsonl')).toBe(
      'projects/-home-u-app/agent-a2.jsonl',
    );
  });
});
