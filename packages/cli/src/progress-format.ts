/** How backfill progress reads on a terminal and in a log line (`cctap collect`, `cctap up`). */
import type { CollectorProgress } from '@cctap/collector';

export function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function progressLine(p: CollectorProgress): string {
  const eta = p.etaSeconds === null ? '' : ` eta ${Math.ceil(p.etaSeconds)}s`;
  return `backfill ${p.filesDone}/${p.filesTotal} files, ${mb(p.bytesRead)}/${mb(p.bytesTotal)}, ${Math.round(p.eventsPerSecond)} events/s${eta}`;
}
