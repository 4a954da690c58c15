/**
 * Token and cost sums in ccusage's field names, with unpriced usage kept visible: a model without a price
 * has `cost: null` and is listed in `unpricedModels`; a total that mixes priced and unpriced usage sums the
 * priced part and says which models it leaves out. Never a silent $0.
 */
export interface TokenSums {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
}

export interface ModelBreakdown extends TokenSums {
  modelName: string;
  /** USD; null when the model has no price. */
  cost: number | null;
}

export interface UsageTotals extends TokenSums {
  /** USD of the priced part; null when there is usage and none of it is priced (0 when there is no usage). */
  totalCost: number | null;
  /** Models whose usage is in the token sums but not in totalCost. */
  unpricedModels?: string[];
}

/** One aggregated row from SQL: a group x model. */
export interface ModelRow {
  model: string;
  input: number;
  output: number;
  cache_creation: number;
  cache_read: number;
  total: number;
  cost: number;
  unpriced_responses: number;
  responses: number;
}

function emptySums(): TokenSums {
  return { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0 };
}

export function toBreakdown(r: ModelRow): ModelBreakdown {
  return {
    modelName: r.model,
    inputTokens: Number(r.input),
    outputTokens: Number(r.output),
    cacheCreationTokens: Number(r.cache_creation),
    cacheReadTokens: Number(r.cache_read),
    totalTokens: Number(r.total),
    cost: Number(r.unpriced_responses) === Number(r.responses) ? null : roundUsd(Number(r.cost)),
  };
}

/** Sums breakdowns; models with any unpriced response are named in unpricedModels. */
export function sumBreakdowns(items: readonly ModelBreakdown[], unpriced: ReadonlySet<string>): UsageTotals {
  const t: UsageTotals = { ...emptySums(), totalCost: null };
  let priced = false;
  let cost = 0;
  for (const b of items) {
    t.inputTokens += b.inputTokens;
    t.outputTokens += b.outputTokens;
    t.cacheCreationTokens += b.cacheCreationTokens;
    t.cacheReadTokens += b.cacheReadTokens;
    t.totalTokens += b.totalTokens;
    if (b.cost !== null) {
      priced = true;
      cost += b.cost;
    }
  }
  // No usage at all costs $0.00; usage without any price is unpriced (null), never $0.
  t.totalCost = priced || items.length === 0 ? roundUsd(cost) : null;
  const names = [...new Set(items.map((b) => b.modelName).filter((m) => unpriced.has(m)))].sort();
  if (names.length > 0) t.unpricedModels = names;
  return t;
}

/** Sub-micro-dollar noise from float sums is rounded away; nothing a report shows is that precise. */
export function roundUsd(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
