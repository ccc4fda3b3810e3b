import type { LogLevel } from './settings/values.js';

/** Where the factory writes its own lines (pool background failures, close problems, what was loaded). */
export interface PocketdockLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/**
 * A logger for the `log` settings: lines at or above `level`, as one JSON object each (`format: 'json'`, the
 * flow-manager's shape: `time`, `level`, `name`, `msg`) or as text, to `write` (default: stderr). Callers pass only
 * fields that hold no secrets.
 */
export function createLogger(options: { level: LogLevel; format: 'json' | 'text'; write?: (line: string) => void }): PocketdockLogger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const at =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (msg: string, fields: Record<string, unknown> = {}): void => {
      if (RANK[level] < RANK[options.level]) return;
      const time = new Date().toISOString();
      if (options.format === 'json') write(`${JSON.stringify({ time, level, name: 'pocketdock', msg, ...fields })}\n`);
      else write(`${time} ${level.toUpperCase()} pocketdock: ${msg}${Object.entries(fields).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join('')}\n`);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
