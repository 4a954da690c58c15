/**
 * What `cctap collect` shows. On a terminal (stderr is a TTY) unless --log-format / CCTAP_LOG_FORMAT says
 * otherwise: short human log lines (warnings and errors unless a --log-level was asked for), a line saying
 * what the backfill will read, the progress bar redrawn in place and the line that ends the backfill, as
 * `cctap up` does. Anywhere else (a service manager, a pipe) or with --log-format json: JSON log lines, a
 * progress line every 5 s.
 */
import type { CollectorService } from '@cctap/collector';
import type { Logger, LogFormat, LogLevel } from '@cctap/kit';
import { explicitlySet } from './explicit-option.js';
import { mb, progressBar } from './progress-format.js';

export interface CollectOutput {
  tty: boolean;
  format: LogFormat;
  level: LogLevel;
  /** Where log lines go: on a terminal, above the progress bar. */
  write: (line: string) => void;
}

const ESC = '\u001b[';
/** The bar as last drawn ('' when there is none), redrawn under a log line. */
let barLine = '';

export function collectOutput(cfg: { logFormat: LogFormat; logLevel: LogLevel }, argv: readonly string[], isTTY = process.stderr.isTTY === true): CollectOutput {
  const tty = isTTY && (cfg.logFormat === 'pretty' || !explicitlySet(argv, '--log-format'));
  const write = (line: string) => process.stderr.write(tty ? `\r${ESC}2K${line}${barLine}` : line);
  if (!tty) return { tty, format: cfg.logFormat, level: cfg.logLevel, write };
  return { tty, format: 'pretty', level: explicitlySet(argv, '--log-level') ? cfg.logLevel : 'warn', write };
}

/** Shows the backfill of `collector` (started later) on stderr: a bar on a terminal, log lines otherwise. */
export function showBackfill(collector: CollectorService, log: Logger, o: { tty: boolean; roots: readonly string[]; once: boolean }): void {
  const err = process.stderr;
  let lastLog = 0;
  let announced = false;
  collector.events.on('progress', (p) => {
    if (!o.tty) {
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        log.info('backfill progress', { ...p });
      }
      return;
    }
    if (!announced) {
      announced = true;
      err.write(`cctap collect: ${p.filesTotal} transcript files, ${mb(Math.max(0, p.bytesTotal - p.bytesRead))} to read under ${o.roots.join(', ')}\n`);
    }
    barLine = progressBar(p);
    err.write(`\r${ESC}2K${barLine}`);
  });
  collector.events.on('backfill-done', (p) => {
    const text = `backfill done: ${p.filesTotal} files, ${mb(p.bytesRead)}, ${p.eventsPublished} events in ${p.seconds.toFixed(1)}s`;
    if (!o.tty) {
      log.info(text, { ...p });
      return;
    }
    barLine = '';
    err.write(`\r${ESC}2K${ESC}32m${text}${o.once ? '' : '; tailing new lines (Ctrl-C stops)'}${ESC}0m\n`);
  });
}
