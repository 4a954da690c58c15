/**
 * Transcripts for alerting tests: `sessions` Claude Code sessions, each running `rm -rf /` `commandsEach`
 * times in Bash tool calls, timestamped a minute ago (fresh enough to fire: older events never page anyone).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeDangerousSessions(root: string, sessions: number, commandsEach = 1): string[] {
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  const t0 = Date.now() - 60_000;
  const ids: string[] = [];
  for (let s = 0; s < sessions; s++) {
    const n = String(s).padStart(12, '0');
    const sessionId = `aaaaaaaa-0000-4000-8000-${n}`;
    ids.push(sessionId);
    const line = (i: number, rest: Record<string, unknown>) => ({
      uuid: `bbbbbbbb-${String(i).padStart(4, '0')}-4000-8000-${n}`,
      parentUuid: null,
      isSidechain: false,
      sessionId,
      timestamp: new Date(t0 + i * 1000).toISOString(),
      cwd: '/home/dev/app',
      version: '2.1.300',
      ...rest,
    });
    const lines = [line(0, { type: 'user', message: { role: 'user', content: 'clean up' } })];
    for (let c = 1; c <= commandsEach; c++) {
      lines.push(
        line(c, {
          type: 'assistant',
          requestId: `req_${s}_${c}`,
          message: {
            id: `msg_${s}_${c}`,
            type: 'message',
            role: 'assistant',
            model: 'claude-opus-4-5',
            stop_reason: 'tool_use',
            content: [
              {
                type: 'tool_use',
                id: `toolu_${s}_${c}`,
                name: 'Bash',
                input: { command: 'rm -rf /', description: 'clean' },
              },
            ],
            usage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
          },
        }),
      );
    }
    writeFileSync(join(project, `${sessionId}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  }
  return ids;
}
