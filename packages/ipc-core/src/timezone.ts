const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA name this runtime knows (`'UTC'`, `'Europe/Berlin'`, ...). */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Last second formatted per time zone: `YYYY-MM-DDTHH:MM:SS.` and the offset suffix. Messages are stamped many
 * times a second, and formatting a date is far slower than gluing the milliseconds in. */
const lastSecond = new Map<string, { second: number; prefix: string; suffix: string }>();

/** Year 10000: beyond it ISO strings take a sign and six-digit years, and are not cached. */
const MAX_CACHED_MS = 253_402_300_800_000;

function formatSecond(second: number, timeZone: string): { prefix: string; suffix: string } {
  const ms = second * 1000;
  if (timeZone === 'UTC') return { prefix: new Date(ms).toISOString().slice(0, 20), suffix: 'Z' };
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second: sec = 0 } = parts;
  const offsetMin = Math.round((Date.UTC(year, month - 1, day, hour, minute, sec) - ms) / 60_000);
  const abs = Math.abs(offsetMin);
  return {
    prefix: `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(sec)}.`,
    suffix: `${offsetMin < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`,
  };
}

/**
 * `ms` as ISO 8601 in `timeZone`, with its offset: `2026-11-22T04:05:06.789+01:00`. UTC gives the usual
 * `...Z` form of `Date.prototype.toISOString`.
 */
export function isoInTimeZone(ms: number, timeZone: string): string {
  const whole = Math.floor(ms);
  if (whole < 0 || whole >= MAX_CACHED_MS) {
    if (timeZone === 'UTC') return new Date(whole).toISOString();
    const second = Math.floor(whole / 1000);
    const { prefix, suffix } = formatSecond(second, timeZone);
    return `${prefix}${pad(whole - second * 1000, 3)}${suffix}`;
  }
  const second = Math.floor(whole / 1000);
  let cached = lastSecond.get(timeZone);
  if (cached?.second !== second) {
    cached = { second, ...formatSecond(second, timeZone) };
    lastSecond.set(timeZone, cached);
  }
  const millis = whole - second * 1000;
  return cached.prefix + (millis < 10 ? '00' : millis < 100 ? '0' : '') + String(millis) + cached.suffix;
}
