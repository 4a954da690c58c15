/**
 * JSON with Maps and Sets: state snapshots are JSON documents (NATS KV values), and the live state uses
 * Maps/Sets (no prototype surprises with keys taken from transcripts, e.g. a tool named `__proto__`).
 */
const MAP = '$map';
const SET = '$set';

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return { [MAP]: [...value] };
  if (value instanceof Set) return { [SET]: [...value] };
  if (value === -Infinity) return { $num: '-inf' };
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if (MAP in o && Array.isArray(o[MAP])) return new Map(o[MAP] as [unknown, unknown][]);
    if (SET in o && Array.isArray(o[SET])) return new Set(o[SET] as unknown[]);
    if (o.$num === '-inf') return -Infinity;
  }
  return value;
}

export function encodeState(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function decodeState<T>(text: string): T {
  return JSON.parse(text, reviver) as T;
}
