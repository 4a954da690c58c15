/**
 * What the stream codecs share: every stream carries one UTF-8 JSON object per message. A *trusted* decode
 * only parses and checks that the body is an object (the producer is a stage of this pipeline, downstream of
 * the validator); a *checked* decode runs the contract's zod schema as well (untrusted input).
 */
import type { z } from 'zod';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The streams whose messages have a codec (topology.ts names their subjects). */
export type CodecStream = 'batch' | 'derived' | 'alert' | 'invalid';

/** A message body that is not what its stream carries. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly stream: CodecStream,
    message: string,
  ) {
    super(message);
  }
}

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** Parses `text` as one JSON object; DecodeError for anything else. */
export function parseObject(stream: CodecStream, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(stream, `not JSON: ${(err as Error).message}`);
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
