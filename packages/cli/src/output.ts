import type { GlobalOptions } from './context.js';

/** Colour on a terminal only, and never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39] } as const;

/** How commands print: data on stdout (a table, lines or `--json`), messages and errors on stderr. */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verboseOn: boolean;

  constructor(options: GlobalOptions, readonly stdout: NodeJS.WriteStream = process.stdout, readonly stderr: NodeJS.WriteStream = process.stderr) {
    this.json = options.json === true;
    this.quiet = options.quiet === true;
    this.verboseOn = options.verbose === true;
  }

  paint(style: keyof typeof CODES, text: string, stream: NodeJS.WriteStream = this.stdout): string {
    if (!useColour(stream)) return text;
    const [on, off] = CODES[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }

  /** A data value as one JSON document on stdout (`--json`). */
  printJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A line of data on stdout. */
  line(text: string): void {
    this.stdout.write(`${text}\n`);
  }

  /** A message for people on stderr; `--quiet` and `--json` drop it. */
  info(text: string): void {
    if (!this.quiet && !this.json) this.stderr.write(`${text}\n`);
  }

  /** A diagnostic on stderr, with `--verbose` only. */
  verbose(text: string): void {
    if (this.verboseOn) this.stderr.write(`${this.paint('dim', `pocketdock: ${text}`, this.stderr)}\n`);
  }

  /** Rows as an aligned table sized to the terminal: the widest column is cut (with `…`) to fit. */
  table(headers: string[], rows: string[][]): void {
    const width = this.stdout.isTTY ? (this.stdout.columns ?? 80) : Infinity;
    this.stdout.write(formatTable(headers, rows, width, (h) => this.paint('bold', h)));
  }
}

/** The table as text, at most `width` columns wide (Infinity: never cut). */
export function formatTable(headers: string[], rows: string[][], width: number, head: (h: string) => string = (h) => h): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const gap = 2;
  let total = widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  while (total > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 8) break;
    widths[widest]! -= 1;
    total -= 1;
  }
  const cell = (text: string, i: number): string => {
    const w = widths[i]!;
    const cut = text.length > w ? `${text.slice(0, w - 1)}…` : text;
    return i === widths.length - 1 ? cut : cut.padEnd(w);
  };
  const lines = [headers.map((h, i) => (i === headers.length - 1 ? head(cell(h, i)) : head(cell(h, i)))).join(' '.repeat(gap))];
  for (const r of rows) lines.push(headers.map((_, i) => cell(r[i] ?? '', i)).join(' '.repeat(gap)).trimEnd());
  return `${lines.join('\n')}\n`;
}
