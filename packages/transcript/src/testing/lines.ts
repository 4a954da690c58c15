/** Builders of fixture-shaped transcript lines for tests (the envelope copied from real 2.1.38 lines). */
import type { LineContext } from '../context.js';

export const encoder = new TextEncoder();

let n = 0;
export function envelope(extra: Record<string, unknown>): Record<string, unknown> {
  n += 1;
  return {
    parentUuid: '7c67a3f1-0000-4000-8000-000000000000',
    isSidechain: false,
    userType: 'external',
    cwd: '/home/dev/projects/spotter',
    sessionId: '55604662-1111-4222-8333-444455556666',
    version: '2.1.38',
    gitBranch: 'master',
    uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    timestamp: '2026-02-10T21:11:56.846Z',
    ...extra,
  };
}

export const userPrompt = (text: string) =>
  envelope({ type: 'user', message: { role: 'user', content: text }, permissionMode: 'default' });
export const assistantText = (text: string) =>
  envelope({
    type: 'assistant',
    requestId: 'req_011',
    message: {
      model: 'claude-opus-4-6',
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text }],
      stop_reason: null,
      usage: { input_tokens: 3, output_tokens: 9, cache_creation_input_tokens: 10, cache_read_input_tokens: 20 },
    },
  });
export const toolUse = (name: string, input: unknown) =>
  envelope({
    type: 'assistant',
    requestId: 'req_012',
    message: {
      model: 'claude-opus-4-6',
      id: 'msg_02',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_01', name, input }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 3, output_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
export const toolResult = (content: unknown, isError = false, toolUseResult: unknown = undefined) =>
  envelope({
    type: 'user',
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content, is_error: isError }] },
    ...(toolUseResult === undefined ? {} : { toolUseResult }),
  });

export const bytesOf = (o: unknown) => encoder.encode(JSON.stringify(o));

export function lineCtx(privacy: LineContext['privacy'] = 'redacted', over: Partial<LineContext> = {}): LineContext {
  return {
    host: 'test-host',
    user: 'dev',
    path: '/home/dev/.claude/projects/-home-dev-projects-spotter/55604662.jsonl',
    fileId: '0123456789abcdef',
    privacy,
    offset: 0,
    fallbackTs: '2026-01-01T00:00:00.000Z',
    fallbackTsSource: 'file',
    ...over,
  };
}
