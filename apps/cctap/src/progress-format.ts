/** How backfill progress reads on a terminal and in a log line (`cctap collect`, `cctap up`). */
import type { CollectorProgress } from '@cctap/collector';

export function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The share of the backfill done, as a percentage. Bytes are read before they are stored, so a backfill
 * whose last bytes are read but not yet acknowledged shows 99%, not 100%: 100% is the end of the backfill.
 */
function percentDone(p: CollectorProgress): number {
  if (p.phase === 'live') return 100;
  const fraction = p.bytesTotal > 0 ? p.bytesRead / p.bytesTotal : 0;
  return Math.min(99, Math.floor(Math.max(0, fraction) * 100));
}

function bar(percent: number, width = 24): string {
  const full = Math.round((percent / 100) * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(percent).padStart(3)}%`;
}

const eta = (p: CollectorProgress) =>
  p.etaSeconds === null || p.bytesRead === 0 ? '' : `  eta ${Math.ceil(p.etaSeconds)}s`;

/** The line redrawn in place on a terminal. */
export function progressBar(p: CollectorProgress): string {
  return `backfill ${bar(percentDone(p))}  ${p.filesDone}/${p.filesTotal} files  ${mb(p.bytesRead)}/${mb(p.bytesTotal)}  ${Math.round(p.eventsPerSecond).toLocaleString('en-US')} events/s${eta(p)}`;
}

/** The same as a log line. */
export function progressLine(p: CollectorProgress): string {
  return `backfill ${p.filesDone}/${p.filesTotal} files, ${mb(p.bytesRead)}/${mb(p.bytesTotal)} (${percentDone(p)}%), ${Math.round(p.eventsPerSecond)} events/s${eta(p).replace('  ', ' ')}`;
}
