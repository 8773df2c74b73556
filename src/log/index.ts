/**
 * Structured logs (pino, JSON lines with levels) for the control plane. Always written to
 * stderr — stdout belongs to the command's report (one JSON object in `--json` modes).
 * Level from `--log-level`, else RISKGATE_LOG_LEVEL, else `info`; `silent` turns logs off.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream | number } = {}): Logger {
  const level = opts.level ?? process.env.RISKGATE_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`log level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  }
  const dest = typeof opts.destination === 'object' ? opts.destination : pino.destination({ fd: opts.destination ?? 2, sync: true });
  return pino(
    {
      name: opts.name ?? 'riskgate',
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Never log credentials, whatever a caller passes in.
      redact: { paths: ['token', 'authorization', 'headers.authorization', 'req.headers.authorization'], censor: '[redacted]' },
    },
    dest,
  );
}

/** A logger that drops everything (library code used without logging). */
export const silentLogger: Logger = pino({ level: 'silent' });
