/** Hand-built contract events for unit tests of the row mapping and the report SQL. Not exported by index.ts. */
import type { EventOf } from '@cctap/events';
import { sampleEvent } from '@cctap/events/testing';

export interface AssistantSample {
  offset: number;
  ts: string;
  messageId: string | null;
  requestId: string | null;
  model?: string;
  input?: number;
  output?: number;
  cacheCreation?: number;
  cacheRead?: number;
  usd?: number | null;
  synthetic?: boolean;
  sessionId?: string;
  sidechain?: boolean;
  host?: string;
  user?: string;
  project?: string;
  file?: string;
}

export function assistant(s: AssistantSample): EventOf<'assistant'> {
  const usd = s.usd === undefined ? 0.001 : s.usd;
  return sampleEvent(
    'assistant',
    {
      model: s.model ?? 'claude-sonnet-4-5-20250929',
      messageId: s.messageId,
      requestId: s.requestId,
      stopReason: null,
      synthetic: s.synthetic ?? false,
      usage: {
        input: s.input ?? 10,
        output: s.output ?? 5,
        cacheCreation: s.cacheCreation ?? 0,
        cacheRead: s.cacheRead ?? 0,
        cacheCreation5m: s.cacheCreation ?? 0,
        cacheCreation1h: 0,
        webSearchRequests: 0,
        webFetchRequests: 0,
      },
      cost: { usd, unpriced: usd === null, priceVersion: 'test' },
      text: 'hello',
      textChars: 5,
    },
    {
      host: s.host ?? 'host-a',
      file: s.file ?? 'file-1',
      offset: s.offset,
      ts: s.ts,
      user: s.user ?? 'alice',
      sessionId: s.sessionId ?? 'session-1',
      sidechain: s.sidechain ?? false,
      project: s.project ?? '/home/alice/app',
      path: '/home/alice/.claude/projects/x/session-1.jsonl',
    },
  );
}
