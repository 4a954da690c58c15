/** Hand-built contract events for unit tests of the row mapping and the report SQL. Not exported by index.ts. */
import { eventId, type EventOf } from '@cctap/events';

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
  const host = s.host ?? 'host-a';
  const usd = s.usd === undefined ? 0.001 : s.usd;
  return {
    id: eventId(host, s.file ?? 'file-1', s.offset, 0),
    type: 'assistant',
    ts: s.ts,
    tsSource: 'line',
    host,
    user: s.user ?? 'alice',
    sessionId: s.sessionId ?? 'session-1',
    agentId: null,
    sidechain: s.sidechain ?? false,
    cwd: s.project ?? '/home/alice/app',
    project: s.project ?? '/home/alice/app',
    gitBranch: 'main',
    ccVersion: '2.1.39',
    lineUuid: null,
    parentUuid: null,
    source: { path: '/home/alice/.claude/projects/x/session-1.jsonl', offset: s.offset },
    payload: {
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
      speed: null,
      serviceTier: 'standard',
      cost: { usd, unpriced: usd === null, priceVersion: 'test' },
      text: 'hello',
      textChars: 5,
      thinkingBlocks: 0,
      toolUses: 0,
    },
  };
}
