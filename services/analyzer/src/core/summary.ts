/** session.summary: sequence and timing analysis of one session, from its live state. */
import type { DerivedPayloadOf } from '@cctap/events';
import { distribution } from './stats.js';
import type { SessionState } from './session-state.js';
import { iso } from './derived-builder.js';
import { refusalPairs } from './refusals-denials.js';

const GRAM_SEP = '\u001f';

function top(map: ReadonlyMap<string, number>, n: number): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, n);
}

export function gramKey(parts: readonly string[]): string {
  return parts.join(GRAM_SEP);
}

export function buildSummary(s: SessionState, final: boolean): DerivedPayloadOf<'session.summary'> {
  const tools = [...s.tools]
    .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1))
    .slice(0, 64)
    .map(([tool, t]) => ({ tool, calls: t.calls, errors: t.errors, durationMs: distribution(t.durations) }));
  const refusals = refusalPairs(s);
  return {
    revision: s.summaryRevision,
    final,
    startTs: iso(s.startTs),
    endTs: iso(s.lastActivityTs),
    durationMs: Math.max(0, s.lastActivityTs - s.startTs),
    models: [...s.models].sort().slice(0, 32),
    totals: {
      prompts: s.prompts,
      turns: s.turns,
      assistantMessages: s.assistantMessages,
      subagents: s.agents.size + s.inlineSubagents,
      toolCalls: s.toolCalls,
      toolErrors: s.toolErrors,
      apiErrors: s.apiErrors,
      compactions: s.compactions,
      orphanedToolCalls: s.orphaned,
      tokens: { ...s.tokens },
      costUsd: Math.max(0, s.costUsd),
      unpricedResponses: s.unpricedResponses,
      ...(s.denials ? { denials: { ...s.denials } } : {}),
      ...(refusals.length > 0 ? { refusals: refusals.reduce((n, r) => n + r.count, 0) } : {}),
    },
    ...(refusals.length > 0 ? { refusals } : {}),
    tools,
    bigrams: top(s.bigrams, 10).map(([k, count]) => ({ seq: k.split(GRAM_SEP), count })),
    trigrams: top(s.trigrams, 10).map(([k, count]) => ({ seq: k.split(GRAM_SEP), count })),
    eventGapMs: distribution(s.gaps),
    toolDurationMs: distribution(s.toolDurations),
    transitions: top(s.transitions, 64).map(([k, count]) => {
      const [from = '', to = ''] = k.split(GRAM_SEP);
      return { from, to, count };
    }),
  };
}
