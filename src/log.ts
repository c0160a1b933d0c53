/**
 * Logging: pino, as JSON lines (`--log-format json`) or readable text, always on stderr so stdout
 * stays for results. Redaction is a second line of defence: secrets are never passed to a logger.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'text' | 'json';
export type { Logger };

const REDACT = ['token', 'privateKey', 'authorization', '*.token', '*.privateKey', '*.authorization', 'headers.authorization'];

export function createLogger(opts: { format: LogFormat; quiet: boolean }): Logger {
  const level = opts.quiet ? 'warn' : 'info';
  if (opts.format === 'json') {
    return pino({ level, base: null, redact: REDACT }, pino.destination({ fd: 2, sync: true }));
  }
  const stream = pretty({ destination: 2, sync: true, colorize: false, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', hideObject: true });
  return pino({ level, base: null, redact: REDACT }, stream);
}
