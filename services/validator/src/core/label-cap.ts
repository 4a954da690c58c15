/**
 * Keeps a metric label bounded: the first `max` distinct values are kept, later ones become 'other'.
 * Claude Code versions are few in practice; the cap protects Prometheus from a host sending garbage.
 */
export function labelCap(max = 50): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}
