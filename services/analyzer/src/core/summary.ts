/** session.summary: sequence and timing analysis of one session, from its detectors' state. */
import type { DerivedEvent, DerivedPayloadOf } from '@cctap/events';
import { context } from '../detectors/context.js';
import { denialsRefusals, refusalPairs } from '../detectors/denials-refusals.js';
import { sliceOf } from '../detectors/detector.js';
import { errorBurst } from '../detectors/error-burst.js';
import { GRAM_SEP, sequence } from '../detectors/sequence.js';
import { subagents } from '../detectors/subagents.js';
import { toolSpans } from '../detectors/tool-spans.js';
import { turns } from '../detectors/turns.js';
import { usage } from '../detectors/usage.js';
import { derived, iso } from './derived-builder.js';
import type { Session } from './session.js';
import { distribution } from './stats.js';

function top(map: ReadonlyMap<string, number>, n: number): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, n);
}

export type SessionSummary = DerivedPayloadOf<'session.summary'>;

export function buildSummary(s: Session, final: boolean): SessionSummary {
  const spans = sliceOf(s, toolSpans);
  const use = sliceOf(s, usage);
  const seq = sliceOf(s, sequence);
  const t = sliceOf(s, turns);
  const sub = sliceOf(s, subagents);
  const { denials } = sliceOf(s, denialsRefusals);
  const tools = [...spans.tools]
    .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1))
    .slice(0, 64)
    .map(([tool, x]) => ({ tool, calls: x.calls, errors: x.errors, durationMs: distribution(x.durations) }));
  const refusals = refusalPairs(s);
  return {
    revision: s.summaryRevision,
    final,
    startTs: iso(s.startTs),
    endTs: iso(s.lastActivityTs),
    durationMs: Math.max(0, s.lastActivityTs - s.startTs),
    models: [...use.models].sort().slice(0, 32),
    totals: {
      prompts: t.prompts,
      turns: t.turns,
      assistantMessages: use.assistantMessages,
      subagents: sub.agents.size + sub.inline,
      toolCalls: spans.toolCalls,
      toolErrors: spans.toolErrors,
      apiErrors: sliceOf(s, errorBurst).apiErrors,
      compactions: sliceOf(s, context).compactions,
      orphanedToolCalls: spans.orphaned,
      tokens: { ...use.tokens },
      costUsd: Math.max(0, use.costUsd),
      unpricedResponses: use.unpricedResponses,
      ...(denials ? { denials: { ...denials } } : {}),
      ...(refusals.length > 0 ? { refusals: refusals.reduce((n, r) => n + r.count, 0) } : {}),
    },
    ...(refusals.length > 0 ? { refusals } : {}),
    tools,
    bigrams: top(seq.bigrams, 10).map(([k, count]) => ({ seq: k.split(GRAM_SEP), count })),
    trigrams: top(seq.trigrams, 10).map(([k, count]) => ({ seq: k.split(GRAM_SEP), count })),
    eventGapMs: distribution(seq.gaps),
    toolDurationMs: distribution(spans.toolDurations),
    transitions: top(seq.transitions, 64).map(([k, count]) => {
      const [from = '', to = ''] = k.split(GRAM_SEP);
      return { from, to, count };
    }),
  };
}

/** Emits the session's next summary revision. */
export function emitSummary(s: Session, final: boolean, now: number, out: DerivedEvent[]): void {
  s.summaryRevision += 1;
  s.summaryDirty = false;
  s.lastSummaryAtMs = now;
  out.push(
    derived(s, 'session.summary', [s.firstEventId, s.summaryRevision], s.lastActivityTs, null, buildSummary(s, final)),
  );
}
