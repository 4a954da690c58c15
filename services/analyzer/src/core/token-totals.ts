/** Token counts by kind, as sessions, turns and usage metrics add them up. */
export interface TokenTotals {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  total: number;
}

export const zeroTokens = (): TokenTotals => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0, total: 0 });

/** Adds `d` to every total of `into`. */
export function addTokens(into: TokenTotals, d: TokenTotals): void {
  into.input += d.input;
  into.output += d.output;
  into.cacheCreation += d.cacheCreation;
  into.cacheRead += d.cacheRead;
  into.total += d.total;
}
