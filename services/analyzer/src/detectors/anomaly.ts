/**
 * anomaly: a session's token rate (tokens/min) or error rate (tool errors per call) far above the same
 * user's finished sessions: robust z-score over their median and MAD (robust-z.ts), at most once per metric
 * and session. Checked before each periodic summary and once more at the end, when the session's own rates
 * join the user's baseline (core/baselines.ts).
 */
import { derived } from '../core/derived-builder.js';
import type { Session } from '../core/session.js';
import { sliceOf, type Detector, type DetectorContext, type DerivedOut } from './detector.js';
import { robustZ } from './robust-z.js';
import { toolSpans } from './tool-spans.js';
import { usage } from './usage.js';

export interface AnomalyState {
  /** Metrics already reported for this session. */
  reported: string[];
  baselineRecorded: boolean;
}

const fresh = (): AnomalyState => ({ reported: [], baselineRecorded: false });

export const anomaly: Detector<AnomalyState> = {
  name: 'anomaly',
  init: fresh,

  onReview(s, st, final, ctx, out) {
    check(s, st, ctx, out);
    if (!final || st.baselineRecorded) return;
    st.baselineRecorded = true;
    const { tokenRate, errorRate } = rates(s, ctx);
    if (tokenRate !== null || errorRate !== null) ctx.baselines.record(s.user, tokenRate, errorRate);
  },

  snapshot: (st) => st,
  restore: (saved) => (saved as AnomalyState | undefined) ?? fresh(),
};

function rates(s: Session, ctx: DetectorContext): { tokenRate: number | null; errorRate: number | null } {
  const c = ctx.config;
  const duration = s.lastActivityTs - s.startTs;
  const tools = sliceOf(s, toolSpans);
  return {
    tokenRate: duration >= c.anomalyMinDurationMs ? sliceOf(s, usage).tokens.total / (duration / 60_000) : null,
    errorRate: tools.toolCalls >= c.anomalyMinToolCalls ? tools.toolErrors / tools.toolCalls : null,
  };
}

function check(s: Session, st: AnomalyState, ctx: DetectorContext, out: DerivedOut): void {
  const b = ctx.baselines.get(s.user);
  if (!b) return;
  const c = ctx.config;
  const { tokenRate, errorRate } = rates(s, ctx);
  const one = (
    metric: 'token_rate' | 'error_rate',
    value: number | null,
    base: number[],
    floors: { relFloor: number; absFloor: number },
  ) => {
    if (value === null || base.length < c.anomalyMinBaseline || st.reported.includes(metric)) return;
    const score = robustZ(value, base, floors);
    if (!score || score.z < c.anomalyZ) return;
    st.reported.push(metric);
    out.push(
      derived(s, 'anomaly', [metric, s.firstEventId], s.lastActivityTs, null, {
        metric,
        value,
        baselineMedian: score.median,
        baselineMad: score.mad,
        robustZ: score.z,
        threshold: c.anomalyZ,
        baselineSessions: score.n,
      }),
    );
  };
  // Floors: a token rate within 10% (or 1,000 tokens/min) of the median is never anomalous, nor an error
  // rate within 2 percentage points.
  one('token_rate', tokenRate, b.tokenRates, { relFloor: 0.1, absFloor: 1000 });
  one('error_rate', errorRate, b.errorRates, { relFloor: 0.1, absFloor: 0.02 });
}
