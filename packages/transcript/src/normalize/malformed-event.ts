/** The event that stands for a line that is not a JSON object: counted and kept, never dropped. */
import { lineEventId, type CctapEvent, type MalformedReason } from '@cctap/events';
import type { LineContext } from '../context.js';
import { pathInfoCached } from '../path/describe-transcript-path.js';
import { scrubHttpHeaders } from '../privacy/http-headers.js';
import { Shaper } from '../privacy/shaper.js';
import { lineKeyOf } from './line-key.js';
import { decodeLine } from './normalize-line.js';

/**
 * The preview is the start of the line, masked per the privacy mode (null in `metadata`); HTTP header values
 * (a cut `system/api_error` line) are scrubbed in every mode.
 */
const PREVIEW_CHARS = 256;

/** `lineKey`: the caller's lineKeyOf(null, bytes) when it has it already (a line that is not JSON has no uuid). */
export function malformedEvent(
  bytes: Uint8Array,
  failure: MalformedReason,
  ctx: LineContext,
  lineKey = lineKeyOf(null, bytes),
): CctapEvent {
  const info = pathInfoCached(ctx.path);
  // Decoding only the head keeps a 100 MB garbage line cheap; a cut multi-byte character decodes as U+FFFD.
  const head = decodeLine(bytes.subarray(0, PREVIEW_CHARS * 4)).text;
  const event: CctapEvent = {
    id: lineEventId(ctx.host, info.sessionId, lineKey, 0),
    type: 'malformed',
    ts: ctx.fallbackTs,
    tsSource: ctx.fallbackTsSource,
    host: ctx.host,
    user: ctx.user,
    sessionId: info.sessionId,
    agentId: info.agentId,
    sidechain: info.agentId !== null,
    cwd: '',
    project: '',
    gitBranch: '',
    ccVersion: '',
    lineUuid: null,
    parentUuid: null,
    source: { path: ctx.path, offset: ctx.offset },
    payload: {
      reason: failure,
      bytes: bytes.length,
      preview: new Shaper(ctx.privacy, PREVIEW_CHARS).text(scrubHttpHeaders(head)),
    },
  };
  if (ctx.labels) event.labels = ctx.labels;
  return event;
}
