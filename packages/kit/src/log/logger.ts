/**
 * One logger for every service: JSON lines on stderr (`level`, `time`, `service`, `msg`, then fields), or a
 * short human format (`pretty`). No dependency: a service logs little, and stderr is what containers collect.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; stderr by default (tests capture it here). */
  write?: (line: string) => void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Errors do not survive JSON.stringify; keep their name, message and the first stack lines. */
function plain(value: unknown): unknown {
  if (value instanceof Error)
    return { name: value.name, message: value.message, stack: value.stack?.split('\n').slice(0, 6).join('\n') };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function createLogger(opts: LoggerOptions, bound: LogFields = {}): Logger {
  const min = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const emit = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const all: LogFields = { ...bound, ...fields };
    if (opts.format === 'pretty') {
      const extra = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(plain(v))}`)
        .join(' ');
      write(
        `${new Date().toISOString().slice(11, 23)} ${level.toUpperCase().padEnd(5)} [${opts.service}] ${msg}${extra ? ` ${extra}` : ''}\n`,
      );
      return;
    }
    const line: LogFields = { level, time: new Date().toISOString(), service: opts.service, msg };
    for (const [k, v] of Object.entries(all)) line[k] = plain(v);
    write(`${JSON.stringify(line)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...bound, ...fields }),
  };
}

/** For libraries and tests that take a logger but have nothing to say. */
export const silentLogger: Logger = createLogger({ service: 'silent', level: 'silent' });
