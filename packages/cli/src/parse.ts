import { CliError } from './errors.js';

/** `KEY=VALUE` pairs (repeatable options) into a record. */
export function keyValues(pairs: readonly string[] | undefined, option: string): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError('CLI_INVALID_ARGUMENT', `${option} ${pair}: expected KEY=VALUE`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** Collects a repeatable option's values (commander's argParser). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Seconds (decimals allowed) into milliseconds; `--timeout 2.5` -> 2500. */
export function seconds(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new CliError('CLI_INVALID_ARGUMENT', `${option} ${text}: expected a number of seconds > 0`);
  return Math.max(1, Math.round(n * 1000));
}

/** Options of `run` (and the global ones) that take a value: their value is not the container name. */
const VALUED = new Set(['--socket', '-H', '--host', '--context', '--project', '--timeout', '-e', '--env', '-w', '--workdir', '-u', '--user']);

/**
 * Whether `run` was given no container: `pocketdock run -- echo hi` (then a throwaway sandbox runs it). True when the
 * `--` comes before any word after `run` that is neither an option nor an option's value.
 */
export function isThrowaway(argv: readonly string[]): boolean {
  let i = 0;
  for (; i < argv.length && argv[i] !== 'run'; i++) if (VALUED.has(argv[i]!)) i++;
  for (i++; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return true;
    if (VALUED.has(a)) i++;
    else if (!a.startsWith('-')) return false;
  }
  return false;
}
