import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { undocumentedCodes } from '@pocketdock/testkit';
import { CLI_ERROR_CODES, EXIT, VERSION } from '../src/index.js';
import { completion } from '../src/commands/completion.js';
import { parseSince } from '../src/commands/logs.js';
import { formatTable, useColour } from '../src/output.js';
import { keyValues, seconds } from '../src/parse.js';
import { commandNames } from '../src/program.js';

const README = join(__dirname, '../README.md');

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return (err as { code?: unknown }).code;
  }
  return undefined;
}

describe('cli units', () => {
  it('documents every error code and exit status in the README', () => {
    expect(undocumentedCodes(README, CLI_ERROR_CODES)).toEqual([]);
    const readme = readFileSync(README, 'utf8');
    for (const status of Object.values(EXIT)) expect(readme).toContain(`| ${status} |`);
  });

  it('documents every command in the README, each with an example', () => {
    const readme = readFileSync(README, 'utf8');
    for (const name of commandNames()) expect(readme).toMatch(new RegExp(`pocketdock ${name}\\b`));
  });

  it('keeps VERSION equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  it('sizes tables to the terminal, cutting the widest column', () => {
    const rows = [['box', 'a'.repeat(50)], ['other', 'short']];
    expect(formatTable(['NAME', 'IMAGE'], rows, Infinity)).toBe(`NAME   IMAGE\nbox    ${'a'.repeat(50)}\nother  short\n`);
    const cut = formatTable(['NAME', 'IMAGE'], rows, 30);
    for (const line of cut.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(30);
    expect(cut).toContain('…');
  });

  it('colours on a terminal only, never with NO_COLOR or TERM=dumb', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    expect(useColour(tty, {})).toBe(true);
    expect(useColour(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColour(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColour({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
  });

  it('parses --since, --timeout and KEY=VALUE', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseSince('10m', now)).toBe(now / 1000 - 600);
    expect(parseSince('1700000000')).toBe(1_700_000_000);
    expect(parseSince('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(codeOf(() => parseSince('yesterday'))).toBe('CLI_INVALID_ARGUMENT');
    expect(seconds('2.5', '--timeout')).toBe(2500);
    expect(codeOf(() => seconds('0', '--timeout'))).toBe('CLI_INVALID_ARGUMENT');
    expect(keyValues(['A=1', 'B=x=y', 'C='], '--env')).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(codeOf(() => keyValues(['=1'], '--env'))).toBe('CLI_INVALID_ARGUMENT');
  });

  it('writes completion scripts for bash, zsh and fish; refuses other shells', () => {
    const program = new Command('pocketdock').option('--json');
    program.command('run').description("run it: don't wait").option('--timeout <s>');
    program.command('list');
    expect(completion(program, 'bash')).toContain('run) opts="--timeout --json --help"');
    expect(completion(program, 'zsh')).toContain("'run:run it\\: don'\\''t wait'");
    expect(completion(program, 'fish')).toContain("complete -c pocketdock -n '__fish_seen_subcommand_from run' -l timeout");
    expect(codeOf(() => completion(program, 'tcsh'))).toBe('CLI_INVALID_ARGUMENT');
  });
});
