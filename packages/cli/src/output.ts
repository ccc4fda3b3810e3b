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

  /** Rows as an aligned table sized to the terminal (cli-table3, loaded on first use): the widest column is cut. */
  async table(headers: string[], rows: string[][]): Promise<void> {
    const width = this.stdout.isTTY ? (this.stdout.columns ?? 80) : Infinity;
    this.stdout.write(await formatTable(headers, rows, width, useColour(this.stdout)));
  }
}

const GAP = 2;

/**
 * The table as text, at most `width` columns wide (Infinity: never cut), laid out by cli-table3 with no borders, as
 * the docker and podman CLIs print theirs. Only the column widths are chosen here: the widest shrinks until it fits.
 */
export async function formatTable(headers: string[], rows: string[][], width: number, bold = false): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const visible = (text: string): number => text.replace(/\u001b\[[0-9;]*m/g, '').length;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => visible(r[i] ?? ''))));
  let total = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  while (total > width) {
    const widest = widths.indexOf(Math.max(...widths));
    if (widths[widest]! <= 8) break;
    widths[widest]! -= 1;
    total -= 1;
  }
  const none = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '' };
  const table = new Table({
    head: headers,
    chars: none,
    // cli-table3's widths include the padding: GAP spaces after every column but the last
    colWidths: widths.map((w, i) => (i === widths.length - 1 ? w : w + GAP)),
    style: { head: bold ? ['bold'] : [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    truncate: '…',
    wordWrap: false,
  });
  table.push(...rows.map((r) => headers.map((_, i) => r[i] ?? '')));
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}
