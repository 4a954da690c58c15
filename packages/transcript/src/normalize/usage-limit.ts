/**
 * Subscription usage-limit notices (transcript-format.md section 9). Two wordings:
 *   1.x  `Claude AI usage limit reached|<unix epoch seconds>`         -> resetAt from the epoch
 *   2.x  `You've hit your session limit · resets 12:50pm (Europe/Paris)` -> resetText only (a local time)
 * Separators vary (`·`, `-`), so the phrases are matched, not the punctuation.
 */
import type { PayloadOf } from '@cctap/events';

type LimitKind = PayloadOf<'rate_limit'>['limitKind'];

export interface UsageLimit {
  limitKind: LimitKind;
  resetAt: string | null;
  resetText: string | null;
}

const V1 = /Claude AI usage limit reached\|(\d{9,13})/;
const V2 = /(?:You(?:'|’)ve hit your|You have hit your|You(?:'|’)ve reached your)\s+([^·\n]{0,40}?)\s*limit/i;
const HOURS_LIMIT = /(\d+)-hour limit reached/i;
/** `resets <time> (<Area/City>)` through the closing parenthesis, else up to a `/` or the line end. */
const RESETS = /\bresets?\s+([^(\n]{0,60}\([^)\n]{1,40}\)|[^/\n]{1,80})/i;

function kindOf(words: string): LimitKind {
  const w = words.toLowerCase();
  if (w.includes('session') || w.includes('hour')) return 'session_limit';
  if (w.includes('week')) return 'weekly_limit';
  return 'plan_limit';
}

/** The usage limit a line's text announces, or null. Called only on synthetic/API-error lines. */
export function parseUsageLimit(text: string): UsageLimit | null {
  if (text.includes('usage limit reached')) {
    const m = V1.exec(text);
    if (m) {
      const n = Number(m[1]);
      const ms = n > 1e12 ? n : n * 1000;
      const d = new Date(ms);
      return { limitKind: 'usage_limit', resetAt: Number.isNaN(d.getTime()) ? null : d.toISOString(), resetText: null };
    }
    if (text.includes('Claude AI usage limit reached'))
      return { limitKind: 'usage_limit', resetAt: null, resetText: null };
  }
  if (text.includes('hit your') || text.includes('reached your') || text.includes('limit reached')) {
    const m = V2.exec(text);
    const h = m ? null : HOURS_LIMIT.exec(text);
    if (!m && !h) return null;
    const r = RESETS.exec(text);
    return {
      limitKind: h ? 'session_limit' : kindOf(m![1] ?? ''),
      resetAt: null,
      resetText: r ? r[1]!.trim() : null,
    };
  }
  return null;
}
