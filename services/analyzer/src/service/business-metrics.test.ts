import { createMetrics } from '@cctap/kit';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config.js';
import { ManualClock } from '@cctap/kit/internal';
import { AnalyzerEngine } from '../core/engine.js';
import { SessionScript } from '../testing/event-factory.js';
import { businessMetrics } from './business-metrics.js';

describe('analyzer business metrics', () => {
  it('counts responses of unpriced models by model, with bounded labels', async () => {
    const config = resolveConfig({ metricsLabelCap: 2 });
    const m = createMetrics('analyzer', { defaultMetrics: false });
    const s = new SessionScript();
    const engine = new AnalyzerEngine(config, new ManualClock(s.now), businessMetrics(m, config).observer);
    engine.ingest([
      s.assistant({ messageId: 'a1', requestId: 'r1', model: 'claude-opus-4-9' }),
      s.assistant({ messageId: 'a1', requestId: 'r1', model: 'claude-opus-4-9', output: 900 }), // same response: counted once
      s.assistant({ messageId: 'a2', model: 'claude-opus-4-9' }),
      s.assistant({ messageId: 'b1', model: 'deepseek-chat' }),
      s.assistant({ messageId: 'c1', model: 'MiniMax-M2' }), // beyond the label cap
      s.assistant({ messageId: 'd1' }), // priced: not counted
      s.assistant({ messageId: 'e1', model: '<synthetic>', synthetic: true }), // no API call: not counted
    ]);
    const counter = (await m.registry.getMetricsAsJSON()).find(
      (x) => x.name === 'cctap_analyzer_unpriced_responses_total',
    );
    const byModel = Object.fromEntries((counter?.values ?? []).map((v) => [v.labels.model, v.value]));
    expect(byModel).toEqual({ 'claude-opus-4-9': 2, 'deepseek-chat': 1, other: 1 });
  });
});
