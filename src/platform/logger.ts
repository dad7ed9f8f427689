// The one logger: pino, JSON lines on stdout. Every module gets it (or a child of it) from the app
// factory; Yoga gets it through `yogaLogger`. Pretty, coloured lines only when a person runs
// `npm start` in a terminal (main.ts decides); anything else (containers, log shippers) reads JSON.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import type { YogaLogger } from 'graphql-yoga';
import { unavailableReason } from '../db/unavailable.ts';

export type { Logger };
export const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  /** Human-readable lines (pino-pretty, a dev dependency); JSON otherwise. */
  pretty?: boolean;
  /** Where lines go (default stdout); tests collect them. */
  destination?: DestinationStream;
}

/**
 * A database outage is logged as its reason (P1001, SQLSTATE 57P01 …), not as a stack: every module
 * that meets one while PostgreSQL is down (scheduler, flusher, purge worker …) says so in one line.
 */
function serializeError(error: unknown): unknown {
  const reason = unavailableReason(error);
  return reason ? { type: 'DatabaseUnavailable', reason } : pino.stdSerializers.err(error as Error);
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const base = { level: options.level, base: { pid: process.pid }, serializers: { err: serializeError } };
  if (options.pretty && !options.destination) {
    // pino-pretty is a dev dependency: a production install (npm ci --omit=dev) logs JSON.
    const pretty = await import('pino-pretty').then(
      (m) => m.default,
      () => null,
    );
    if (pretty) return pino(base, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' }));
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** A logger that writes nothing (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Yoga's logger interface over pino: Yoga's own messages at Yoga's levels, under `module: yoga`. */
export function yogaLogger(log: Logger): YogaLogger {
  const child = log.child({ module: 'yoga' });
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      if (!child.isLevelEnabled(level)) return;
      const error = args.find((a): a is Error => a instanceof Error);
      // Yoga reports every error it masks; an outage is already one warn line per request
      // (src/http/error-log.ts) and answered SERVICE_UNAVAILABLE, not an unexpected error.
      if (error && unavailableReason(error)) return;
      const message = args
        .filter((a) => !(a instanceof Error))
        .map(String)
        .join(' ');
      if (error) child[level]({ err: error }, message || error.message);
      else child[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
