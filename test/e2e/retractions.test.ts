/**
 * A refused response that the collector stored before Claude Code retracted it (`system/model_refusal_fallback`
 * with `retractedMessageUuids`) leaves the reports, through the commands a user types: `cctap up --once`, then
 * `cctap report daily --json` and the `retractions` view over `cctap sql`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, sqlJson } from './support/run-cctap.js';

let dir: string;
let data: string;
const SESSION = '7a1c0d2e-2026-4a5b-9c3d-0000000000aa';
const REFUSED = ['5f0c9a1e-7b2d-4c3e-8f4a-1b2c3d4e5f60', '6a1d0b2f-8c3e-4d4f-9a5b-2c3d4e5f6071'];

const base = {
  isSidechain: false,
  userType: 'external',
  cwd: '/home/dev/app',
  sessionId: SESSION,
  version: '2.1.182',
  gitBranch: 'main',
};
const assistant = (uuid: string, ts: string, id: string, model: string, output: number) => ({
  ...base,
  type: 'assistant',
  uuid,
  parentUuid: null,
  timestamp: ts,
  requestId: `req_${id}`,
  message: {
    id: `msg_${id}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: 'x' }],
    stop_reason: null,
    usage: { input_tokens: 1000, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  },
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-retractions-'));
  const project = join(dir, 'claude', 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  const lines = [
    // The refused response, streamed over two lines, as the collector read them before the removal.
    assistant(REFUSED[0]!, '2026-06-20T09:00:05.000Z', 'refused', 'claude-fable-5', 1),
    assistant(REFUSED[1]!, '2026-06-20T09:00:05.500Z', 'refused', 'claude-fable-5', 30),
    {
      ...base,
      type: 'system',
      subtype: 'model_refusal_fallback',
      direction: 'retry',
      trigger: 'refusal',
      originalModel: 'claude-fable-5',
      fallbackModel: 'claude-opus-4-8',
      requestId: 'req_refused',
      apiRefusalCategory: 'cyber',
      retractedMessageUuids: REFUSED,
      level: 'warning',
      content: 'Retrying with Opus 4.8.',
      isMeta: false,
      uuid: '7a1c0d2e-0002-4000-8000-0000000000a2',
      parentUuid: null,
      timestamp: '2026-06-20T09:00:06.000Z',
    },
    assistant('7a1c0d2e-0003-4000-8000-0000000000a3', '2026-06-20T09:00:09.000Z', 'fallback', 'claude-opus-4-8', 200),
  ];
  writeFileSync(join(project, `${SESSION}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  data = join(dir, 'data');
  const up = await cli(
    ['up', '--once', '--root', join(dir, 'claude'), '--data', data, '--metrics-port', '0', '--quiet'],
    { HOME: dir },
  );
  expect(up.code, up.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('retracted responses through the CLI', () => {
  it('count only the fallback response, and list the refused one as retracted', async () => {
    const r = await cli(['report', 'daily', '--json', '--data', data], { HOME: dir });
    expect(r.code, r.stderr).toBe(0);
    const daily = JSON.parse(r.stdout) as {
      totals: { inputTokens: number; outputTokens: number; totalCost: number | null };
      daily: { modelsUsed: string[] }[];
    };
    expect(daily.daily[0]!.modelsUsed).toEqual(['claude-opus-4-8']);
    expect(daily.totals).toMatchObject({ inputTokens: 1000, outputTokens: 200 });
    const stored = await sqlJson<{ n: number }>(data, 'SELECT uniqExact(message_id) AS n FROM usage');
    expect(stored).toEqual([{ n: 2 }]);
    const retracted = await sqlJson<{ message_id: string; model: string; output_tokens: number; session_id: string }>(
      data,
      'SELECT message_id, model, output_tokens, session_id FROM retractions',
    );
    expect(retracted).toEqual([
      { message_id: 'msg_refused', model: 'claude-fable-5', output_tokens: 30, session_id: SESSION },
    ]);
  }, 60_000);
});
