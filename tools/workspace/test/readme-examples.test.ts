import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testEngines } from '@pocketdock/testkit';

const run = promisify(execFile);
const root = join(__dirname, '../../..');

/**
 * A README example: every ```ts / ```js block of every package README (and the root README), found anew on each
 * run, so a new example is checked without touching this test. Markers on the line above the fence, in an HTML
 * comment the registry page does not show:
 *   <!-- example: continues -->   the block goes on from the one before in the same language (its names in scope)
 *   <!-- example: runnable -->    also run it, once per engine under test (POCKETDOCK_SOCKET set to that engine)
 *   <!-- example: skip (why) -->  not a program (a fragment, a signature); say why
 * A JavaScript block must parse on this Node (node --check: `await using` is a SyntaxError on Node 20), and is
 * type-checked like TypeScript (checkJs). Code is checked against the packages' sources, as the workspace resolves them.
 */
interface Example {
  readme: string; // path from the repository root
  line: number; // line of the opening fence of the first block
  lines: number[]; // README line of each line of `code` (for error messages)
  code: string;
  js: boolean;
  runnable: boolean;
}

const readmes = [
  'README.md',
  ...readdirSync(join(root, 'packages'))
    .map((dir) => `packages/${dir}/README.md`)
    .filter((path) => existsSync(join(root, path))),
];

function examplesOf(readme: string, text: string): Example[] {
  const examples: Example[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\w+)\s*$/.exec(lines[i]!);
    if (!open) {
      if (/^```/.test(lines[i]!)) i = closing(lines, i); // another language, or none: skip its body
      continue;
    }
    const end = closing(lines, i);
    const lang = open[1]!.toLowerCase();
    if (!['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs'].includes(lang)) {
      i = end;
      continue;
    }
    const marker = /<!--\s*example:\s*(.*?)\s*-->/.exec(lines[i - 1] ?? '')?.[1] ?? '';
    const body = lines.slice(i + 1, end);
    const numbers = body.map((_, k) => i + 2 + k);
    if (/^skip\b/.test(marker)) {
      if (!/^skip\s*\(.+\)/.test(marker)) throw new Error(`${readme}:${i + 1}: say why: <!-- example: skip (the reason) -->`);
    } else if (/\bcontinues\b/.test(marker)) {
      const previous = [...examples].reverse().find((e) => e.js === !lang.startsWith('t')); // skips a JavaScript form in between
      if (!previous) throw new Error(`${readme}:${i + 1}: "continues" but no example in that language before it`);
      previous.code += `\n${body.join('\n')}`;
      previous.lines.push(i + 1, ...numbers);
      previous.runnable ||= /\brunnable\b/.test(marker);
    } else {
      const js = !lang.startsWith('t');
      examples.push({ readme, line: i + 1, lines: numbers, code: body.join('\n'), js, runnable: /\brunnable\b/.test(marker) });
    }
    i = end;
  }
  return examples;
}

function closing(lines: string[], open: number): number {
  for (let j = open + 1; j < lines.length; j += 1) if (/^```\s*$/.test(lines[j]!)) return j;
  throw new Error(`unclosed code block at line ${open + 1}`);
}

const examples = readmes.flatMap((readme) => examplesOf(readme, readFileSync(join(root, readme), 'utf8')));
const fileOf = (e: Example): string => {
  const base = `${e.readme.replace(/\/README\.md$|\.md$/, '').replace(/\W+/g, '_')}_L${e.line}`;
  if (!e.js) return `${base}.mts`;
  return /\brequire\(/.test(e.code) && !/^\s*import\s/m.test(e.code) ? `${base}.cjs` : `${base}.mjs`;
};

describe('README examples', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pocketdock-readme-'));
    await symlink(join(root, 'node_modules'), join(work, 'node_modules'));
    // Each example is a module of its own (moduleDetection: force), so examples never share names.
    for (const e of examples) await writeFile(join(work, fileOf(e)), e.code.endsWith('\n') ? e.code : `${e.code}\n`);
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  it('every example type-checks against the packages', async () => {
    const compilerOptions = { noEmit: true, allowJs: true, checkJs: true, types: ['node'], moduleDetection: 'force' };
    await writeFile(join(work, 'tsconfig.json'), JSON.stringify({ extends: join(root, 'tsconfig.base.json'), compilerOptions, files: examples.map(fileOf) }));
    const result = await run(join(root, 'node_modules/.bin/tsc'), ['-p', work, '--pretty', 'false']).catch((err: { stdout?: string }) => err);
    const errors = (('stdout' in result && result.stdout) || '')
      .split('\n')
      .filter((l) => /^\S+\(\d+,\d+\): error/.test(l))
      .map((l) => {
        const [, file, row, rest] = /^(\S+?)\((\d+),\d+\): (.*)$/.exec(l)!;
        const e = examples.find((x) => file!.endsWith(fileOf(x)));
        return e ? `${e.readme}:${e.lines[Number(row) - 1]}: ${rest}` : l;
      });
    expect(errors).toEqual([]);
  }, 120_000);

  it.each(examples.filter((e) => e.js).map((e) => [`${e.readme}:${e.line}`, e] as const))('%s parses on this Node', async (_, e) => {
    await run('node', ['--check', join(work, fileOf(e))]).catch((err: { stderr?: string }) => {
      throw new Error(`${e.readme}:${e.line} does not parse on Node ${process.version}:\n${err.stderr}`);
    });
  });

  const runnable = examples.filter((e) => e.runnable);
  it.each(runnable.flatMap((e) => testEngines().map((engine) => [`${e.readme}:${e.line}`, engine.name, e, engine] as const)))(
    '%s runs on %s',
    async (_, __, e, engine) => {
      const args = ['--conditions=@pocketdock/source', '--import', 'tsx', fileOf(e)];
      const env = { ...process.env, POCKETDOCK_SOCKET: engine.socketPath };
      await run('node', args, { cwd: work, env, timeout: 90_000 }).catch((err: { stderr?: string; stdout?: string }) => {
        throw new Error(`${e.readme}:${e.line} failed on ${engine.name}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
      });
    },
    120_000,
  );
});
