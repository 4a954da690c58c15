/** NATS message headers (a delivered message's `headers`, a stored one's `header`) as a plain record. */
export function headerRecord(h: { keys(): string[]; get(k: string): string } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (h) for (const k of h.keys()) out[k] = h.get(k);
  return out;
}
