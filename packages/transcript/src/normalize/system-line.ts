/**
 * `system` lines (transcript-format.md section 3.4): compaction boundaries become `compaction`, retry
 * records (`api_error`) become `api.error` with final=false (a retry is not a failure), everything else
 * (hook summaries, turn durations, local commands, unknown subtypes) becomes `system`.
 */
import { count, countOrNull, idStr, intOrNull, nonNeg, obj, str } from './json-read.js';
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
    L.emit('compaction', {
      trigger: trigger(m?.trigger),
      preTokens: countOrNull(m?.preTokens),
      micro,
      logicalParentUuid: idStr(rec.logicalParentUuid),
    });
    return;
  }
  if (subtype === 'api_error') {
    const err = obj(rec.error);
    const inner = obj(err?.error);
    const innerErr = obj(inner?.error);
    const cause = obj(err?.cause);
    const message = str(innerErr?.message) ?? str(inner?.message) ?? str(err?.message) ?? str(rec.content) ?? str(cause?.code);
    L.emit('api.error', {
      final: false,
      status: intOrNull(err?.status) ?? intOrNull(rec.apiErrorStatus),
      errorType: idStr(innerErr?.type) ?? idStr(inner?.type) ?? idStr(err?.type) ?? idStr(cause?.code),
      message: L.shaper.text(message),
      retryAttempt: countOrNull(rec.retryAttempt),
      maxRetries: countOrNull(rec.maxRetries),
      retryInMs: nonNeg(rec.retryInMs),
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
