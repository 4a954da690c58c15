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
  /** The TTL split of cacheCreation (default: all of it 5-minute). */
  cacheCreation5m?: number;
  cacheCreation1h?: number;
  webSearchRequests?: number;
  speed?: string | null;
  inferenceGeo?: string | null;
  advisor?: { model: string; input?: number; output?: number; cacheCreation?: number; cacheRead?: number }[];
  lineUuid?: string;
  /** A host-side cost, as collectors before the central price book sent it (never read by the store). */
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
  const tokens = (
    t: Pick<
      AssistantSample,
      'input' | 'output' | 'cacheCreation' | 'cacheRead' | 'cacheCreation5m' | 'cacheCreation1h' | 'webSearchRequests'
    >,
  ) => ({
    input: t.input ?? 10,
    output: t.output ?? 5,
    cacheCreation: t.cacheCreation ?? 0,
    cacheRead: t.cacheRead ?? 0,
    cacheCreation5m: t.cacheCreation5m ?? t.cacheCreation ?? 0,
    cacheCreation1h: t.cacheCreation1h ?? 0,
    webSearchRequests: t.webSearchRequests ?? 0,
    webFetchRequests: 0,
  });
  return sampleEvent(
    'assistant',
    {
      model: s.model ?? 'claude-sonnet-4-5-20250929',
      messageId: s.messageId,
      requestId: s.requestId,
      stopReason: null,
      synthetic: s.synthetic ?? false,
      usage: tokens(s),
      speed: s.speed ?? null,
      inferenceGeo: s.inferenceGeo ?? null,
      ...(s.advisor ? { advisor: s.advisor.map((a) => ({ model: a.model, usage: tokens(a) })) } : {}),
      cost: s.usd === undefined ? undefined : { usd: s.usd, unpriced: s.usd === null, priceVersion: 'test' },
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
      ...(s.lineUuid ? { lineUuid: s.lineUuid } : {}),
      project: s.project ?? '/home/alice/app',
      path: '/home/alice/.claude/projects/x/session-1.jsonl',
    },
  );
}
