/**
 * Rules read an assistant response's cost at `payload.cost` (`payload.cost.usd`, `payload.cost.unpriced`).
 * That cost is computed here from the central price book (DESIGN section 7), replacing whatever a host may
 * have sent, so every rule file that sums `payload.cost.usd` keeps working and every service agrees on one
 * number. `priceVersion` names the book.
 */
import type { PayloadOf } from '@cctap/events';
import { priceAssistant, type PriceBook } from '@cctap/prices';
import type { EngineInput } from './signal.js';

export function withCentralCost(book: PriceBook, input: EngineInput): EngineInput {
  if (input.source !== 'events' || input.type !== 'assistant') return input;
  const p = input.payload as PayloadOf<'assistant'>;
  const price = priceAssistant(book, p, input.ts);
  return {
    ...input,
    payload: { ...p, cost: { usd: price.usd, unpriced: price.unpriced, priceVersion: price.bookVersion } },
  };
}
