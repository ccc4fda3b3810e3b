/**
 * What a setting may hold. `check` returns why a value is refused, in words that never quote the value (a value
 * may be a secret); `fromEnv` turns an environment string into the value it stands for.
 */
export interface ValueType {
  /** For the key table: `integer >= 0`, `string`, `true / false`... */
  readonly doc: string;
  check(value: unknown): string | undefined;
  fromEnv(text: string): unknown;
}

const asIs = (text: string): unknown => text;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const numberFromEnv = (text: string): unknown => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim()) ? Number(text) : text);

/** A JSON array or object (`[...]`, `{...}`), else the text itself. */
export function jsonFromEnv(text: string): unknown {
  const t = text.trim();
  if (!t.startsWith('[') && !t.startsWith('{')) return text;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return text;
  }
}

export function str(options: { absolute?: boolean; pattern?: RegExp; patternDoc?: string } = {}): ValueType {
  const doc = options.absolute ? 'absolute path' : (options.patternDoc ?? 'string');
  return {
    doc,
    check(v) {
      if (typeof v !== 'string') return 'must be a string';
      if (v === '') return 'must not be empty';
      if (v.includes('\0')) return 'must not contain a NUL byte';
      if (options.absolute && !v.startsWith('/')) return 'must be an absolute path (starting with /)';
      if (options.pattern && !options.pattern.test(v)) return `must be ${options.patternDoc ?? `like ${String(options.pattern)}`}`;
      return undefined;
    },
    fromEnv: asIs,
  };
}

export function int(min: number, max?: number): ValueType {
  const doc = max === undefined ? `integer >= ${min}` : `integer ${min} to ${max}`;
  return {
    doc,
    check(v) {
      if (!isInt(v)) return 'must be an integer';
      if (v < min) return `must be >= ${min}`;
      if (max !== undefined && v > max) return `must be <= ${max}`;
      return undefined;
    },
    fromEnv: numberFromEnv,
  };
}

export function num(options: { above?: number; min?: number; max: number }): ValueType {
  const low = options.above === undefined ? `>= ${options.min ?? 0}` : `> ${options.above}`;
  return {
    doc: `number ${low}, <= ${options.max}`,
    check(v) {
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      if (options.above !== undefined && v <= options.above) return `must be > ${options.above}`;
      if (options.above === undefined && v < (options.min ?? 0)) return `must be >= ${options.min ?? 0}`;
      if (v > options.max) return `must be <= ${options.max}`;
      return undefined;
    },
    fromEnv: numberFromEnv,
  };
}

/** Any string (container environment values, labels). */
export const text: ValueType = {
  doc: 'string',
  check: (v) => (typeof v !== 'string' ? 'must be a string' : v.includes('\0') ? 'must not contain a NUL byte' : undefined),
  fromEnv: asIs,
};

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export const bool: ValueType = {
  doc: 'true / false',
  check: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
  fromEnv(text) {
    const t = text.trim().toLowerCase();
    if (TRUE.has(t)) return true;
    if (FALSE.has(t)) return false;
    return text;
  },
};

export function oneOf(values: readonly string[]): ValueType {
  return {
    doc: values.map((v) => `\`${v}\``).join(' / '),
    check: (v) => (typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}`),
    fromEnv: asIs,
  };
}

/** A list of strings; from the environment, a JSON array or comma-separated. */
export function stringList(options: { min?: number; absolute?: boolean } = {}): ValueType {
  const item = str({ absolute: options.absolute });
  return {
    doc: options.absolute ? 'list of absolute paths' : 'list of strings',
    check(v) {
      if (!Array.isArray(v)) return 'must be a list of strings';
      if (v.length < (options.min ?? 0)) return `must have at least ${options.min} item(s)`;
      for (const [i, x] of v.entries()) {
        const why = item.check(x);
        if (why) return `item ${i} ${why}`;
      }
      return undefined;
    },
    fromEnv(text) {
      const json = jsonFromEnv(text);
      return json !== text ? json : text.split(',').map((s) => s.trim()).filter(Boolean);
    },
  };
}

/** A command as an argv list; from the environment, a JSON array or words split on spaces. */
export const argv: ValueType = {
  ...stringList({ min: 1 }),
  doc: 'list of strings (argv)',
  fromEnv(text) {
    const json = jsonFromEnv(text);
    return json !== text ? json : text.trim().split(/\s+/).filter(Boolean);
  },
};

const MEMORY = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?$/i;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const MIN_MEMORY = 6 * 1024 * 1024;

/** container-sdk's memory sizes: `'256m'`, `'1g'` or bytes; at least 6 MiB (the engines refuse less). */
export const memory: ValueType = {
  doc: "size: `'256m'`, `'1g'` or bytes (>= 6 MiB)",
  check(v) {
    let bytes: number;
    if (isInt(v)) bytes = v;
    else if (typeof v === 'string' && MEMORY.test(v.trim())) {
      const m = MEMORY.exec(v.trim())!;
      bytes = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
    } else return "must be a size like '256m', '1g' or a number of bytes";
    return bytes < MIN_MEMORY ? 'must be at least 6 MiB (the engines refuse less)' : undefined;
  },
  fromEnv: (text) => (/^\d+$/.test(text.trim()) ? Number(text) : text),
};

/** A custom check, for the few settings with rules of their own. */
export function custom(doc: string, check: (v: unknown) => string | undefined, fromEnv: (text: string) => unknown = asIs): ValueType {
  return { doc, check, fromEnv };
}
