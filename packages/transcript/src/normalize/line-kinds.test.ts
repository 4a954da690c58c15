/** The line kinds of transcript-format.md sections 3, 8 and 9 that the real fixtures do not contain. */
import { describe, expect, it } from 'vitest';
import type { CctapEvent } from '@cctap/events';
import { describeTranscriptPath } from '../path/describe-transcript-path.js';
import { bytesOf, envelope, lineCtx, userPrompt } from '../testing/lines.js';
import { normalizeLine } from './normalize-line.js';

function one(line: unknown, path?: string): CctapEvent[] {
  const r = normalizeLine(bytesOf(line), lineCtx('redacted', path ? { path } : {}));
  if ('failure' in r) throw new Error(r.detail);
  return r.events;
}
const synthetic = (text: string, extra: Record<string, unknown> = {}) =>
  envelope({
    type: 'assistant',
    isApiErrorMessage: true,
    ...extra,
    message: {
      model: '<synthetic>',
      id: 'msg_x',
      content: [{ type: 'text', text }],
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  });

describe('API errors and usage limits', () => {
  it('1.x usage limit: rate_limit with resetAt from the epoch, no assistant event', () => {
    const [e, ...rest] = one(synthetic('Claude AI usage limit reached|1760000000'));
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      type: 'rate_limit',
      payload: { limitKind: 'usage_limit', resetAt: '2025-10-09T08:53:20.000Z', resetText: null },
    });
  });

  it('2.x usage limits: rate_limit with resetText and no resetAt', () => {
    expect(one(synthetic("You've hit your session limit · resets 12:50pm (Europe/Paris)"))[0]).toMatchObject({
      type: 'rate_limit',
      payload: { limitKind: 'session_limit', resetAt: null, resetText: '12:50pm (Europe/Paris)' },
    });
    expect(
      one(
        synthetic(
          "You've hit your limit - resets Feb 7, 11am (Asia/Seoul)/login to switch to an API usage-billed account.",
        ),
      )[0],
    ).toMatchObject({
      type: 'rate_limit',
      payload: { limitKind: 'plan_limit', resetText: 'Feb 7, 11am (Asia/Seoul)' },
    });
    expect(one(synthetic("You've hit your weekly limit · resets Mon 9am"))[0]).toMatchObject({
      payload: { limitKind: 'weekly_limit' },
    });
  });

  it('final API failure: api.error final=true with status and type, never an assistant row', () => {
    const events = one(
      synthetic('API Error: 529 {"type":"error","error":{"type":"overloaded_error"}}', {
        error: 'server_error',
        apiErrorStatus: 529,
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['api.error']);
    expect(events[0]).toMatchObject({ payload: { final: true, status: 529, errorType: 'server_error' } });
  });

  it('system/api_error retry: api.error final=false with retry fields', () => {
    const [e] = one(
      envelope({
        type: 'system',
        subtype: 'api_error',
        level: 'error',
        error: { status: 529, error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
        retryInMs: 1200.5,
        retryAttempt: 2,
        maxRetries: 10,
      }),
    );
    expect(e).toMatchObject({
      type: 'api.error',
      payload: {
        final: false,
        status: 529,
        errorType: 'overloaded_error',
        message: 'Overloaded',
        retryAttempt: 2,
        maxRetries: 10,
        retryInMs: 1200.5,
      },
    });
  });

  it('"No response requested." is a synthetic assistant line, not an error', () => {
    const [e] = one(
      envelope({
        type: 'assistant',
        message: { model: '<synthetic>', content: [{ type: 'text', text: 'No response requested.' }] },
      }),
    );
    expect(e).toMatchObject({ type: 'assistant', payload: { synthetic: true } });
  });
});

describe('other line kinds', () => {
  it('microcompact boundary and the compact summary', () => {
    expect(
      one(
        envelope({
          type: 'system',
          subtype: 'microcompact_boundary',
          microcompactMetadata: { trigger: 'auto', preTokens: 9000 },
        }),
      )[0],
    ).toMatchObject({ type: 'compaction', payload: { micro: true, trigger: 'auto', preTokens: 9000 } });
    expect(
      one(
        envelope({ type: 'user', isCompactSummary: true, message: { content: 'This session is being continued…' } }),
      )[0],
    ).toMatchObject({ type: 'meta', payload: { lineType: 'user', subtype: 'compact_summary' } });
  });

  it('prompt kinds: human, command, task_notification', () => {
    const kind = (text: string) => {
      const [e] = one(userPrompt(text));
      return e!.type === 'prompt' ? e!.payload.kind : e!.type;
    };
    expect(kind('fix the build')).toBe('human');
    expect(kind('<command-message>init</command-message>\n<command-name>/init</command-name>')).toBe('command');
    expect(kind('<task-notification><task-id>b1</task-id></task-notification>')).toBe('task_notification');
    expect(kind('[Request interrupted by user]')).toBe('interrupt');
  });

  it('attachments, progress and session metadata become meta; progress never becomes assistant', () => {
    const progress = one(
      envelope({
        type: 'progress',
        data: {
          type: 'agent_progress',
          message: { type: 'assistant', message: { id: 'msg_c', usage: { output_tokens: 500 } } },
        },
      }),
    );
    expect(progress.map((e) => [e.type, e.type === 'meta' && e.payload.subtype])).toEqual([['meta', 'agent_progress']]);
    expect(one(envelope({ type: 'attachment', attachment: { type: 'hook_success' } }))[0]).toMatchObject({
      payload: { lineType: 'attachment', subtype: 'hook_success' },
    });
    expect(one({ type: 'ai-title', aiTitle: 'Fix login' })[0]).toMatchObject({
      type: 'meta',
      payload: { lineType: 'ai-title', text: 'Fix login' },
    });
  });

  it('unknown types keep their name and keys, and lines without uuid or timestamp are fine', () => {
    const [e] = one({ type: 'turn_end', foo: 1, bar: 'x' });
    expect(e).toMatchObject({
      type: 'unknown',
      lineUuid: null,
      tsSource: 'file',
      payload: { lineType: 'turn_end', keys: ['type', 'foo', 'bar'] },
    });
    expect(one({ hello: 'world' })[0]).toMatchObject({ type: 'unknown', payload: { lineType: '', keys: ['hello'] } });
  });

  it('normalizes timestamps to ISO with Z and ignores unusable ones', () => {
    const ts = (t: unknown) => one(envelope({ type: 'summary', summary: 's', timestamp: t }))[0]!;
    expect(ts('2026-02-10T22:11:56.846+01:00')).toMatchObject({ ts: '2026-02-10T21:11:56.846Z', tsSource: 'line' });
    expect(ts(1760000000000)).toMatchObject({ ts: '2025-10-09T08:53:20.000Z', tsSource: 'line' });
    expect(ts('2026-02-30T00:00:00Z')).toMatchObject({ tsSource: 'line' });
    expect(ts('yesterday')).toMatchObject({ ts: '2026-01-01T00:00:00.000Z', tsSource: 'file' });
  });

  it('takes session and agent from the path when the line has none', () => {
    const path = '/home/d/.claude/projects/-home-d-x/4d5611e5/subagents/agent-a2898e3.jsonl';
    expect(one({ type: 'summary', summary: 's' }, path)[0]).toMatchObject({
      sessionId: '4d5611e5',
      agentId: 'a2898e3',
      sidechain: true,
    });
  });
});

describe('describeTranscriptPath', () => {
  it('knows the three layouts', () => {
    expect(describeTranscriptPath('/r/projects/-home-d-x/5560.jsonl')).toEqual({
      sessionId: '5560',
      agentId: null,
      layout: 'main',
      projectDir: '/r/projects/-home-d-x',
      workflowRunId: null,
    });
    expect(describeTranscriptPath('/r/projects/-home-d-x/5560/subagents/agent-acompact-e1f845.jsonl')).toEqual({
      sessionId: '5560',
      agentId: 'acompact-e1f845',
      layout: 'subagent-nested',
      projectDir: '/r/projects/-home-d-x',
      workflowRunId: null,
    });
    expect(describeTranscriptPath('/r/projects/-home-d-x/agent-af1ff21.jsonl')).toEqual({
      sessionId: 'agent-af1ff21',
      agentId: 'af1ff21',
      layout: 'subagent-flat',
      projectDir: '/r/projects/-home-d-x',
      workflowRunId: null,
    });
  });

  it('puts workflow agents and the run journal in their session and run (2.1.167+)', () => {
    const run = '/r/projects/-home-d-x/5560/subagents/workflows/wf_1a2b3c4d-5e6';
    expect(describeTranscriptPath(`${run}/agent-afb7972f528a6f005.jsonl`)).toEqual({
      sessionId: '5560',
      agentId: 'afb7972f528a6f005',
      layout: 'workflow-agent',
      projectDir: '/r/projects/-home-d-x',
      workflowRunId: 'wf_1a2b3c4d-5e6',
    });
    expect(describeTranscriptPath(`${run}/journal.jsonl`)).toEqual({
      sessionId: '5560',
      agentId: null,
      layout: 'workflow-journal',
      projectDir: '/r/projects/-home-d-x',
      workflowRunId: 'wf_1a2b3c4d-5e6',
    });
  });
});

describe('pricing facts, not prices', () => {
  it('an assistant line carries tokens and the facts central pricing needs, and no cost', () => {
    const [e] = one(
      envelope({
        type: 'assistant',
        message: {
          model: 'claude-opus-4-8',
          id: 'msg_1',
          content: [{ type: 'text', text: 'ok' }],
          usage: {
            input_tokens: 10,
            output_tokens: 20,
            speed: 'fast',
            inference_geo: 'us',
            server_tool_use: { web_search_requests: 2 },
          },
        },
      }),
    );
    expect(e).toMatchObject({
      type: 'assistant',
      payload: {
        model: 'claude-opus-4-8',
        speed: 'fast',
        inferenceGeo: 'us',
        usage: { input: 10, output: 20, webSearchRequests: 2 },
      },
    });
    expect(e!.payload).not.toHaveProperty('cost');
  });
});
