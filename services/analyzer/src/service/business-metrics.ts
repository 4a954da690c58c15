/** Prometheus business metrics of the analyzer; every label is bounded (LabelCap, closed enums). */
import type { DerivedEvent } from '@cctap/events';
import { LabelCap, type Metrics } from '@cctap/kit';
import type { AnalyzerConfig } from '../config.js';
import type { EngineObserver } from '../core/engine.js';

const TOKEN_KINDS = ['input', 'output', 'cacheCreation', 'cacheRead'] as const;
const KIND_LABEL = {
  input: 'input',
  output: 'output',
  cacheCreation: 'cache_creation',
  cacheRead: 'cache_read',
} as const;

export interface BusinessMetrics {
  observer: EngineObserver;
  derived(events: readonly DerivedEvent[]): void;
  published(kind: string): void;
  skipped(reason: string, n?: number): void;
  activeSessions(n: number): void;
}

/** MCP tools (`mcp__<server>__<tool>`) are one label: their names are unbounded by nature. */
function toolLabel(tool: string): string {
  return tool.startsWith('mcp__') ? 'mcp' : tool;
}

export function businessMetrics(m: Metrics, c: AnalyzerConfig): BusinessMetrics {
  const tools = new LabelCap(c.metricsTopTools);
  const models = new LabelCap(c.metricsLabelCap);
  const projects = new LabelCap(c.metricsLabelCap);
  const users = new LabelCap(c.metricsLabelCap);
  const active = m.gauge('cctap_analyzer_active_sessions', 'Sessions not ended, in memory');
  const started = m.counter('cctap_analyzer_sessions_started_total', 'Sessions seen for the first time');
  const ended = m.counter('cctap_analyzer_sessions_ended_total', 'Sessions ended, by reason', ['reason']);
  const evicted = m.counter('cctap_analyzer_sessions_evicted_total', 'Sessions dropped to keep memory bounded (LRU)');
  const turns = m.counter('cctap_analyzer_turns_total', 'Completed turns (prompt to final answer)');
  const toolCalls = m.counter('cctap_analyzer_tool_calls_total', 'Tool calls, by tool (top N, MCP as mcp)', ['tool']);
  const toolErrors = m.counter('cctap_analyzer_tool_errors_total', 'Tool calls that failed, by tool', ['tool']);
  const orphans = m.counter(
    'cctap_analyzer_tool_orphans_total',
    'Tool calls never answered before their session ended',
  );
  const tokens = m.counter('cctap_analyzer_tokens_total', 'Tokens (max rule per API response), by model and kind', [
    'model',
    'kind',
  ]);
  const cost = m.counter('cctap_analyzer_cost_usd_total', 'Cost in US dollars of priced responses, by model', [
    'model',
  ]);
  // A model the price book does not know: its cost is missing from every total until a price is added.
  const unpriced = m.counter(
    'cctap_analyzer_unpriced_responses_total',
    'API responses whose model has no price in the book, by model',
    ['model'],
  );
  const derivedTotal = m.counter('cctap_analyzer_derived_events_total', 'Derived events published, by kind', ['kind']);
  const duplicates = m.counter(
    'cctap_analyzer_duplicate_events_total',
    'Events ignored because their id was seen recently',
  );
  const skipped = m.counter('cctap_analyzer_skipped_total', 'Messages or events skipped, by reason', ['reason']);
  const denials = m.counter('cctap_analyzer_denials_total', 'Denied tool calls, by kind', ['kind']);
  const refusals = m.counter(
    'cctap_analyzer_refusals_total',
    'Model refusals answered by a fallback model, by refusing and fallback model',
    ['model', 'fallback_model'],
  );
  const byProject = c.metricsByProject
    ? m.counter('cctap_analyzer_project_tokens_total', 'Tokens by project (capped)', ['project'])
    : null;
  const byUser = c.metricsByUser
    ? m.counter('cctap_analyzer_user_tokens_total', 'Tokens by user (capped)', ['user'])
    : null;

  return {
    observer: {
      usage(model, d, usd, s) {
        const label = models.of(model);
        for (const k of TOKEN_KINDS) if (d[k] > 0) tokens.inc({ model: label, kind: KIND_LABEL[k] }, d[k]);
        if (usd > 0) cost.inc({ model: label }, usd);
        if (d.total > 0) {
          byProject?.inc({ project: projects.of(s.project) }, d.total);
          byUser?.inc({ user: users.of(s.user) }, d.total);
        }
      },
      unpriced: (model) => unpriced.inc({ model: models.of(model) }),
      toolSpan(tool, isError, orphaned) {
        const label = tools.of(toolLabel(tool));
        toolCalls.inc({ tool: label });
        if (isError) toolErrors.inc({ tool: label });
        if (orphaned) orphans.inc();
      },
      denial: (kind) => denials.inc({ kind }),
      refusal: (from, to) => refusals.inc({ model: models.of(from), fallback_model: models.of(to) }),
      evicted: () => evicted.inc(),
      duplicate: () => duplicates.inc(),
    },
    derived(events) {
      for (const d of events) {
        if (d.kind === 'session.start') started.inc();
        else if (d.kind === 'session.end') ended.inc({ reason: d.payload.reason });
        else if (d.kind === 'turn.complete') turns.inc();
      }
    },
    published: (kind) => derivedTotal.inc({ kind }),
    skipped: (reason, n = 1) => skipped.inc({ reason }, n),
    activeSessions: (n) => active.set(n),
  };
}
