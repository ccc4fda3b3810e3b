import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { undocumentedCodes } from '@pocketdock/testkit';
import { CLI_ERROR_CODES, EXIT, VERSION } from '../src/index.js';
import { completion } from '../src/commands/completion.js';
import { parseSince } from '../src/commands/logs.js';
import { formatTable, useColour } from '../src/output.js';
import { stat } from 'node:fs/promises';
import { tempDir } from '@pocketdock/testkit';
import { findTools } from '../src/commands/build.js';
import { quote } from '../src/commands/history.js';
import { projectName } from '../src/commands/project.js';
import { clearHistory, historyDir, readHistory, recordHistory } from '../src/history-store.js';
import { PROFILES } from '../src/profiles.js';
import { formatBytes } from '../src/progress.js';
import { isThrowaway, keyValues, seconds } from '../src/parse.js';
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

  it('sizes tables to the terminal, cutting the widest column', async () => {
    const rows = [['box', 'a'.repeat(50)], ['other', 'short']];
    expect(await formatTable(['NAME', 'IMAGE'], rows, Infinity)).toBe(`NAME   IMAGE\nbox    ${'a'.repeat(50)}\nother  short\n`);
    const cut = await formatTable(['NAME', 'IMAGE'], rows, 30);
    for (const line of cut.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(30);
    expect(cut).toContain('…');
    // colour codes take no room
    expect(await formatTable(['A', 'B'], [['\u001b[31mred\u001b[39m', 'x']], Infinity)).toBe('A    B\n\u001b[31mred\u001b[39m  x\n');
  });

  it('formats bytes, project names and argv for people', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(100 * 1024 * 1024)).toBe('100.0 MiB');
    expect(projectName('My Web App!')).toBe('my-web-app');
    expect(projectName('...')).toBe('project');
    expect(['ls', '-la', 'a b', "it's", '$HOME'].map(quote).join(' ')).toBe("ls -la 'a b' 'it'\\''s' '$HOME'");
  });

  it('keeps a per-container history in a private file; a bad id never becomes a path', async () => {
    await using dir = await tempDir();
    const env = { XDG_STATE_HOME: dir.path };
    const id = 'a'.repeat(64);
    expect(await readHistory(id, env)).toEqual([]);
    const entry = { time: new Date(0).toISOString(), argv: ['echo', 'a b'], exitCode: 3, durationMs: 5, timedOut: false };
    await recordHistory(id, entry, env);
    await recordHistory(id, { ...entry, exitCode: 0 }, env);
    expect((await readHistory(id, env)).map((e) => e.exitCode)).toEqual([3, 0]);
    expect((await stat(join(historyDir(env), `${id}.jsonl`))).mode & 0o777).toBe(0o600);
    expect((await stat(historyDir(env))).mode & 0o777).toBe(0o700);
    await expect(recordHistory('../../etc/passwd', entry, env)).rejects.toThrow('not a container id');
    await clearHistory(id, env);
    expect(await readHistory(id, env)).toEqual([]);
  });

  it('finds the tools/ of a checkout from the working directory or the bin, else says so', () => {
    const root = join(__dirname, '../../..');
    expect(findTools(undefined, {}, join(root, 'packages/cli/src'), undefined)).toBe(join(root, 'tools'));
    expect(findTools(undefined, {}, '/', join(root, 'packages/cli/bin/pocketdock.mjs'))).toBe(join(root, 'tools'));
    expect(codeOf(() => findTools(undefined, {}, '/', '/usr/bin/x'))).toBe('CLI_TOOLS_NOT_FOUND');
    expect(codeOf(() => findTools('/nowhere', {}, '/', undefined))).toBe('CLI_TOOLS_NOT_FOUND');
    expect(PROFILES.map((p) => p.name)).toEqual(['busybox', 'node', 'python']);
    for (const p of PROFILES) expect(readFileSync(README, 'utf8')).toContain(`| ${p.name} |`);
  });

  it('colours on a terminal only, never with NO_COLOR or TERM=dumb', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    expect(useColour(tty, {})).toBe(true);
    expect(useColour(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColour(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColour({ isTTY: false } as NodeJS.WriteStream, {})).toBe(false);
  });

  it('tells `run -- cmd` (a throwaway sandbox) from `run C -- cmd`', () => {
    expect(isThrowaway(['run', '--', 'echo', 'hi'])).toBe(true);
    expect(isThrowaway(['--socket', '/s', 'run', '--timeout', '5', '-q', '--', 'x'])).toBe(true);
    expect(isThrowaway(['--project', 'run', 'run', '--', 'x'])).toBe(true);
    expect(isThrowaway(['run', 'box', '--', 'x'])).toBe(false);
    expect(isThrowaway(['run', '-e', 'A=1', '-w', '/w', 'box', '--', 'x'])).toBe(false);
    expect(isThrowaway(['run', 'box', 'x'])).toBe(false);
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
