/**
 * `system` lines (transcript-format.md section 3.4, transcript-format-2026.md section 3.2): compaction
 * boundaries become `compaction`, retry records (`api_error`) become `api.error` with final=false (a retry
 * is not a failure), model refusals answered by another model (`model_refusal_fallback`, 2.1.170+) become
 * `refusal`, everything else (hook summaries, turn durations, away summaries, local commands,
 * informational notices, unknown subtypes) becomes `system`.
 */
import { scrubHttpHeaders } from '../privacy/http-headers.js';
import { count, countOrNull, idStr, intOrNull, nonNeg, obj, str, uuidList } from './json-read.js';
import type { LineBuilder } from './line-builder.js';

function trigger(v: unknown): 'auto' | 'manual' | 'unknown' {
  return v === 'auto' || v === 'manual' ? v : 'unknown';
}

export function normalizeSystem(L: LineBuilder): void {
  const rec = L.rec;
  const subtype = idStr(rec.subtype);
  if (subtype === 'compact_boundary' || subtype === 'microcompact_boundary') {
    const micro = subtype === 'microcompact_boundary';
    const m = obj(micro ? rec.microcompactMetadata : rec.compactMetadata);
    const postTokens = countOrNull(m?.postTokens);
    const durationMs = nonNeg(m?.durationMs);
    L.emit('compaction', {
      trigger: trigger(m?.trigger),
      preTokens: countOrNull(m?.preTokens),
      micro,
      logicalParentUuid: idStr(rec.logicalParentUuid),
      ...(postTokens !== null ? { postTokens } : {}),
      ...(durationMs !== null ? { durationMs } : {}),
    });
    return;
  }
  if (subtype === 'api_error') {
    const err = obj(rec.error);
    const inner = obj(err?.error);
    const innerErr = obj(inner?.error);
    const cause = obj(err?.cause);
    const message =
      str(innerErr?.message) ?? str(inner?.message) ?? str(err?.message) ?? str(rec.content) ?? str(cause?.code);
    // `error.headers` is never read; header dumps inside the message text are scrubbed in every mode.
    L.emit('api.error', {
      final: false,
      status: intOrNull(err?.status) ?? intOrNull(rec.apiErrorStatus),
      errorType: idStr(innerErr?.type) ?? idStr(inner?.type) ?? idStr(err?.type) ?? idStr(cause?.code),
      message: message === null ? null : L.shaper.textOf(scrubHttpHeaders(message)),
      retryAttempt: countOrNull(rec.retryAttempt),
      maxRetries: countOrNull(rec.maxRetries),
      retryInMs: nonNeg(rec.retryInMs),
    });
    return;
  }
  if (subtype === 'model_refusal_fallback') {
    L.emit('refusal', {
      originalModel: idStr(rec.originalModel),
      fallbackModel: idStr(rec.fallbackModel),
      trigger: idStr(rec.trigger),
      direction: idStr(rec.direction),
      category: idStr(rec.apiRefusalCategory),
      retractedUuids: uuidList(rec.retractedMessageUuids),
      requestId: idStr(rec.requestId),
      text: L.shaper.text(str(rec.apiRefusalExplanation) ?? rec.content),
    });
    return;
  }
  const hookErrors = rec.hookErrors;
  L.emit('system', {
    subtype: subtype ?? 'none',
    level: idStr(rec.level),
    text: L.shaper.text(rec.content),
    durationMs: nonNeg(rec.durationMs),
    hookCount: countOrNull(rec.hookCount),
    hookErrors: Array.isArray(hookErrors) ? count(hookErrors.length) : countOrNull(hookErrors),
  });
}
