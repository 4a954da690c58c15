/**
 * Raw HTTP response headers that `system/api_error` lines carry (2.1.1xx+: `error.headers`, and header
 * dumps inside error text): cookies, request ids, auth and rate-limit tokens. They identify the account and
 * can replay a session, and they say nothing about the error, so they are scrubbed on the host in EVERY
 * privacy mode, `full` included.
 *
 * Two shapes are recognised inside text: JSON pairs (`"set-cookie":"…"`) and header lines (`Set-Cookie: …`).
 */

/** Header names whose values never leave the host (lower case; `x-*`, `anthropic-*`, `cf-*` by prefix). */
const SENSITIVE =
  /^(?:set-cookie|cookie|authorization|proxy-authorization|www-authenticate|request-id|x-[a-z0-9-]+|anthropic-[a-z0-9-]+|cf-[a-z0-9-]+|via|server-timing|traceparent|tracestate)$/;

// A value may be cut off by the end of the text (a line's head kept as a preview): it runs to the end then.
const JSON_PAIR =
  /"([A-Za-z0-9-]{2,64})"\s*:\s*("(?:[^"\\]|\\.)*(?:"|\\?$)|\[(?:[^\]"\\]|"(?:[^"\\]|\\.)*(?:"|\\?$))*(?:\]|$))/g;
const HEADER_LINE = /(^|[\r\n]|\\n)([A-Za-z][A-Za-z0-9-]{1,63})[ \t]*:[ \t]*([^\r\n\\]*)/g;

const SCRUBBED = '[scrubbed]';

/** `text` with the values of sensitive headers replaced by SCRUBBED; other text unchanged. */
export function scrubHttpHeaders(text: string): string {
  if (!text.includes(':')) return text;
  return text
    .replace(JSON_PAIR, (m: string, name: string) =>
      SENSITIVE.test(name.toLowerCase()) ? `"${name}":"${SCRUBBED}"` : m,
    )
    .replace(HEADER_LINE, (m: string, lead: string, name: string) =>
      SENSITIVE.test(name.toLowerCase()) ? `${lead}${name}: ${SCRUBBED}` : m,
    );
}
