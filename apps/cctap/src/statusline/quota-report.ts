/**
 * What `cctap statusline` sends a running `cctap up` to record: the quota readings of one status-line input
 * (five_hour and seven_day from `rate_limits`, context from `context_window`) with the session they came from.
 * `up` turns each reading that changed into a `quota` event (quota-recorder.ts).
 */
import type { PayloadOf } from '@cctap/events';
import type { StatusInput } from './status-input.js';

export type QuotaReading = PayloadOf<'quota'>;

export interface QuotaReport {
  sessionId: string;
  cwd: string;
  transcriptPath: string;
  ccVersion: string;
  readings: QuotaReading[];
}

/** The readings the input carries; null when it carries none. */
export function quotaReportOf(input: StatusInput): QuotaReport | null {
  const model = input.modelId;
  const readings: QuotaReading[] = [];
  for (const [window, w] of [
    ['five_hour', input.fiveHour],
    ['seven_day', input.sevenDay],
  ] as const) {
    if (w)
      readings.push({
        window,
        usedPercentage: w.usedPercentage,
        resetsAt: w.resetsAt,
        windowTokens: null,
        usedTokens: null,
        model,
      });
  }
  const c = input.context;
  if (c && input.sessionId) {
    readings.push({
      window: 'context',
      usedPercentage: c.usedPercentage,
      resetsAt: null,
      windowTokens: c.windowTokens,
      usedTokens: c.usedTokens,
      model,
    });
  }
  if (readings.length === 0) return null;
  return {
    sessionId: input.sessionId ?? '',
    cwd: input.cwd ?? '',
    transcriptPath: input.transcriptPath ?? '',
    ccVersion: input.version ?? '',
    readings,
  };
}
