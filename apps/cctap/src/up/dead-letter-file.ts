/**
 * `<data>/dead-letters.jsonl`: where `cctap up` keeps what a consumer of its in-process bus terminated or
 * gave up on (a message the sink could not map or ClickHouse rejected). On NATS the DLQ stream keeps them; in
 * process the bus is memory and a dead letter counts as done for the collector, whose checkpoint then moves
 * past it, so the message is written here first (the bus redelivers it when the write fails). One JSON object
 * per line: when, which consumer, stream, subject, seq, deliveries, kind, reason and the message itself
 * (`data` as UTF-8 text when it is, else `dataBase64`). 0600 like everything in the data directory.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir, type InProcessDeadLetter, type Metrics } from '@cctap/kit';

export const DEAD_LETTER_FILE = 'dead-letters.jsonl';

export interface DeadLetterFile {
  readonly path: string;
  /** Dead letters kept in this run. */
  count(): number;
  /** For InProcessBusOptions.onDeadLetter: throws when the line could not be written. */
  keep(d: InProcessDeadLetter): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function deadLetterFile(dir: string, metrics: Metrics): DeadLetterFile {
  const path = join(privateDir(dir), DEAD_LETTER_FILE);
  const total = metrics.counter<'consumer' | 'kind'>(
    'cctap_dead_letters_total',
    'Messages a consumer terminated or gave up on, by consumer and kind',
    ['consumer', 'kind'],
  );
  let n = 0;
  return {
    path,
    count: () => n,
    keep(d) {
      let data: { data: string } | { dataBase64: string };
      try {
        data = { data: utf8.decode(d.data) };
      } catch {
        data = { dataBase64: Buffer.from(d.data).toString('base64') };
      }
      const { consumer, stream, subject, seq, deliveries, kind, reason } = d;
      appendFileSync(
        path,
        `${JSON.stringify({ at: new Date().toISOString(), consumer, stream, subject, seq, deliveries, kind, reason, ...data })}\n`,
      );
      n += 1;
      total.inc({ consumer, kind });
    },
  };
}
