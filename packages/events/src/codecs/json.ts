/**
 * What the stream codecs share: every stream carries one UTF-8 JSON object per message. A *trusted* decode
 * only parses and checks that the body is an object (the producer is a stage of this pipeline, downstream of
 * the validator); a *checked* decode runs the contract's zod schema as well (untrusted input).
 */
import type { z } from 'zod';
import { encodeText, textOf } from './shared-decode.js';

/** The streams whose messages have a codec (topology.ts names their subjects). */
export type CodecStream = 'batch' | 'derived' | 'alert' | 'invalid';

/** A message body that is not what its stream carries: not JSON at all, or JSON of another shape. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly stream: CodecStream,
    message: string,
    /** The body does not even parse as JSON. */
    readonly notJson = false,
  ) {
    super(message);
  }

  /** JSON.parse refused the body. */
  static notJson(stream: CodecStream, err: unknown): DecodeError {
    return new DecodeError(stream, `not JSON: ${(err as Error).message}`, true);
  }
}

export function encodeJson(value: unknown): Uint8Array {
  return encodeText(JSON.stringify(value));
}

/** The message's text (decoded once per process: shared-decode.ts). */
export function utf8Text(bytes: Uint8Array): string {
  return textOf(bytes);
}

/** Parses `text` as one JSON object; DecodeError for anything else. */
export function parseObject(stream: CodecStream, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw DecodeError.notJson(stream, err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DecodeError(stream, `not a JSON object`);
  return value as Record<string, unknown>;
}

/** Runs `schema` over `doc`; DecodeError naming the first failing fields. */
export function checkedAgainst<S extends z.ZodType>(stream: CodecStream, schema: S, doc: unknown): z.output<S> {
  const r = schema.safeParse(doc);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5).map((i) => `/${i.path.join('/')} ${i.message}`);
  throw new DecodeError(stream, `does not match the ${stream} schema: ${issues.join('; ')}`);
}
