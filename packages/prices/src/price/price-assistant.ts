import type { PayloadOf } from '@cctap/events';
import type { PriceBook } from '../book/price-book.js';
import { priceResponse, type ResponsePrice } from './price-response.js';

/** What of an assistant event's payload decides its price. */
export type AssistantPricing = Pick<PayloadOf<'assistant'>, 'model' | 'usage' | 'speed' | 'inferenceGeo' | 'advisor'>;

/** The price of one assistant event (`ts`, the event's own time), from the facts its payload carries. */
export function priceAssistant(book: PriceBook, p: AssistantPricing, ts: string): ResponsePrice {
  return priceResponse(book, {
    model: p.model,
    ts,
    usage: p.usage,
    speed: p.speed,
    inferenceGeo: p.inferenceGeo ?? null,
    ...(p.advisor ? { advisor: p.advisor } : {}),
  });
}
