/**
 * Bounded label values for metrics: the first `max` distinct values keep their own series, later ones
 * are reported as 'other'. (A true top-N would have to move a value between series after the fact, which
 * counters cannot do; in practice the first tools and models seen are the frequent ones.)
 */
export class LabelCap {
  private readonly kept = new Set<string>();
  constructor(private readonly max: number) {}

  of(value: string): string {
    if (this.kept.has(value)) return value;
    if (this.kept.size < this.max) {
      this.kept.add(value);
      return value;
    }
    return 'other';
  }
}

/** MCP tools (`mcp__<server>__<tool>`) are one label: their names are unbounded by nature. */
export function toolLabel(tool: string): string {
  return tool.startsWith('mcp__') ? 'mcp' : tool;
}
