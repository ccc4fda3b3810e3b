// The model behind the extraction fuzz (test/extract-fuzz.test.ts, a few hundred inputs per run, and
// bench/fuzz-extract.ts, 100,000+): hostile archives against a destination that already holds symlinks out of it,
// next to an `outside` directory that must never change.
import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ContainerError } from '../src/index.js';
import { extractTo } from '../src/files/extract.js';
import { entryBytes, rawHeader, streamOf } from './tar-fixtures.js';
import type { FixtureEntry } from './tar-fixtures.js';

/** The codes a hostile archive may end in; anything else (or an error without a code) is a finding. */
export const EXPECTED_CODES = new Set(['FILE_UNSAFE_ARCHIVE', 'FILE_INVALID_ARCHIVE', 'FILE_IS_DIRECTORY', 'FILE_WRITE_FAILED']);

type Op = { kind: 'entry'; entry: FixtureEntry } | { kind: 'raw'; name: string; flag: string; sizeField: Buffer; body: number };
export interface FuzzCase {
  ops: Op[];
  cut: 'none' | 'truncate' | 'flip' | 'no-end' | 'garbage';
  at: number;
  chunk: number;
  preserveSpecialBits: boolean;
}

const PARTS = ['up', 'abs', 'file', 'dir', 'esc', 'x', 'y', '..', '.', '', 'outside', 'keep', 'item', 'a\u00ff'];
const part = fc.constantFrom(...PARTS);
const tail = fc.array(part, { minLength: 0, maxLength: 4 }).map((ps) => ps.join('/'));
const name = fc.oneof(
  { weight: 6, arbitrary: tail.map((t) => (t ? `item/${t}` : 'item')) },
  { weight: 1, arbitrary: tail.map((t) => `/${t}`) },
  { weight: 1, arbitrary: tail.map((t) => `other/${t}`) },
  { weight: 1, arbitrary: tail.map((t) => `./item/${t}`) },
);
/** Names that are not UTF-8 (sent as exact bytes in PAX records). */
const bytesName = fc.tuple(tail, fc.constantFrom(0xff, 0xfe, 0x80, 0xc0)).map(([t, b]) => Buffer.concat([Buffer.from(`item/${t}`), Buffer.from([b])]));
const linkTarget = (outside: string): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom('../../outside', '../outside/keep', outside, `${outside}/keep`, '/', '.', '..', 'x', '', 'item/x', 'item/file', 'dir/esc'), name);
const mode = fc.constantFrom(0o644, 0o755, 0o4755, 0o2775, 0o1777, 0o7777, 0o000, 0o500, 0o777);

function entryArb(outside: string): fc.Arbitrary<Op> {
  const entry = fc.record({
    name: fc.oneof({ weight: 8, arbitrary: name }, { weight: 1, arbitrary: bytesName }),
    type: fc.constantFrom('file', 'file', 'directory', 'directory', 'symlink', 'link', 'fifo', 'character-device'),
    linkname: linkTarget(outside),
    data: fc.oneof(fc.constant(''), fc.string({ maxLength: 40 }), fc.constant('z'.repeat(3000))),
    mode,
  });
  const raw = fc.record({
    name,
    flag: fc.constantFrom('0', '5', '2', '1', 'x', 'L', 'g', 'S', '\0'),
    sizeField: fc.oneof(
      fc.constantFrom('77777777777\0', '00000001000\0', '-0000000001\0', '0000000001x\0', '           ').map((s) => Buffer.from(s, 'latin1')),
      fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b)),
      fc.constantFrom(Buffer.from([0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.alloc(12, 0xff)),
    ),
    body: fc.integer({ min: 0, max: 2048 }),
  });
  return fc.oneof(
    { weight: 8, arbitrary: entry.map((e) => ({ kind: 'entry' as const, entry: e })) },
    { weight: 1, arbitrary: raw.map((r) => ({ kind: 'raw' as const, ...r })) },
  );
}

export function fuzzCaseArb(outside: string): fc.Arbitrary<FuzzCase> {
  const first = fc.oneof({ weight: 4, arbitrary: fc.constant<Op>({ kind: 'entry', entry: { name: 'item', type: 'directory' } }) }, { weight: 1, arbitrary: entryArb(outside) });
  return fc.record({
    ops: fc.tuple(first, fc.array(entryArb(outside), { maxLength: 8 })).map(([f, rest]) => [f, ...rest]),
    cut: fc.constantFrom('none', 'none', 'none', 'truncate', 'flip', 'no-end', 'garbage'),
    at: fc.nat(),
    chunk: fc.constantFrom(37, 512, 1000, 65536),
    preserveSpecialBits: fc.boolean(),
  });
}

async function bytesOf(c: FuzzCase): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const op of c.ops) {
    if (op.kind === 'entry') parts.push(await entryBytes(op.entry));
    else parts.push(rawHeader({ name: op.name, flag: op.flag, sizeField: op.sizeField }), Buffer.alloc(op.body, 0x41));
  }
  let bytes = Buffer.concat([...parts, Buffer.alloc(1024)]);
  if (c.cut === 'truncate') bytes = bytes.subarray(0, c.at % (bytes.length + 1));
  if (c.cut === 'no-end') bytes = bytes.subarray(0, bytes.length - 1024);
  if (c.cut === 'garbage') bytes = Buffer.concat([bytes.subarray(0, bytes.length - 1024), Buffer.alloc(700, 0x5a)]);
  if (c.cut === 'flip' && bytes.length > 0) bytes[c.at % bytes.length] = bytes[c.at % bytes.length]! ^ (1 << c.at % 8);
  return bytes;
}

// The arena's own bookkeeping is synchronous: it is not what is under test, and it keeps an input cheap.
const SLASH = Buffer.from('/');
const under = (dir: Buffer, n: Buffer): Buffer => Buffer.concat([dir, SLASH, n]);
const names = (dir: Buffer): Buffer[] => readdirSync(dir, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(a, b));

/** Everything under `dir`, as lines (path, mode, content hash or link target): what must not change. Names as bytes. */
function listing(dir: Buffer, rel = '', into: string[] = []): string[] {
  for (const n of names(rel ? under(dir, Buffer.from(rel, 'latin1')) : dir)) {
    const relPath = rel ? `${rel}/${n.toString('latin1')}` : n.toString('latin1');
    const p = under(dir, Buffer.from(relPath, 'latin1'));
    const st = lstatSync(p);
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(p, { encoding: 'buffer' }).toString('latin1')}` : st.isFile() ? createHash('sha1').update(readFileSync(p)).digest('hex') : st.isDirectory() ? 'dir' : 'other';
    into.push(`${relPath} ${(st.mode & 0o7777).toString(8)} ${what}`);
    if (st.isDirectory()) listing(dir, relPath, into);
  }
  return into;
}

/** Every path under `dir` (for temp names left behind, and special bits). */
function walk(dir: Buffer, fn: (path: Buffer, mode: number) => void): void {
  for (const n of names(dir)) {
    const p = under(dir, n);
    const st = lstatSync(p);
    fn(p, st.mode);
    if (st.isDirectory()) walk(p, fn);
  }
}

function forceRemove(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // a directory the archive left without write permission (when not root): open them all up, then remove
    const open = (p: Buffer): void => {
      if (!lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) return;
      chmodSync(p, 0o700);
      for (const n of names(p)) open(under(p, n));
    };
    open(Buffer.from(path));
    rmSync(path, { recursive: true, force: true });
  }
}

/**
 * A fresh directory for arenas, removed on dispose: on tmpfs (/dev/shm) where there is one, as each input makes and
 * removes a small tree, and on this machine's ext4 (mounted with `discard`) every rmdir takes ~2 ms against ~0.06.
 */
export function fuzzRoot(): { path: string; [Symbol.dispose](): void } {
  let base = tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK);
    base = '/dev/shm';
  } catch {
    // no tmpfs: the usual temp dir
  }
  const path = mkdtempSync(join(base, 'pocketdock-test-fuzz-'));
  return { path, [Symbol.dispose]: () => forceRemove(path) };
}

/** A fuzz arena in `root`: `outside/` (never to change) and `parent/dest/` holding symlinks that lead out. */
export class Arena {
  readonly outside: string;
  readonly parent: string;
  readonly dest: string;
  /** The message of the last input's error (to look at what a code stands for). */
  lastMessage = '';
  #before: string[] = [];

  constructor(readonly root: string) {
    this.outside = join(root, 'outside');
    this.parent = join(root, 'parent');
    this.dest = join(this.parent, 'dest');
  }

  reset(): void {
    forceRemove(this.parent);
    if (this.#before.length === 0) {
      mkdirSync(join(this.outside, 'inner'), { recursive: true });
      writeFileSync(join(this.outside, 'keep'), 'keep');
      writeFileSync(join(this.outside, 'inner/deep'), 'deep');
      this.#before = listing(Buffer.from(this.root));
    }
    mkdirSync(join(this.dest, 'dir'), { recursive: true });
    symlinkSync('../../outside', join(this.dest, 'up'));
    symlinkSync(this.outside, join(this.dest, 'abs'));
    symlinkSync(this.outside, join(this.dest, 'dir/esc'));
    writeFileSync(join(this.dest, 'file'), 'orig');
  }

  /** Runs one case; returns its outcome (`ok` or the error code), or throws a finding. */
  async run(c: FuzzCase): Promise<string> {
    this.reset();
    const bytes = await bytesOf(c);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('finding: extractTo hung for 10 s')), 10_000)));
    let outcome: string;
    try {
      await Promise.race([extractTo(streamOf(bytes, c.chunk), this.dest, { preserveSpecialBits: c.preserveSpecialBits }), hung]);
      outcome = 'ok';
    } catch (err) {
      if (!ContainerError.is(err) || !EXPECTED_CODES.has(err.code)) throw new Error(`finding: failed without an expected code: ${String(err)}`, { cause: err });
      outcome = err.code;
      this.lastMessage = err.message;
    } finally {
      clearTimeout(timer);
    }
    const outside = listing(Buffer.from(this.root)).filter((l) => !l.startsWith('parent'));
    const before = this.#before.filter((l) => !l.startsWith('parent'));
    if (JSON.stringify(outside) !== JSON.stringify(before)) throw new Error(`finding: something outside the destination changed (${outcome})`);
    const leftovers: string[] = [];
    const stray = readdirSync(this.parent).filter((n) => n !== 'dest');
    walk(Buffer.from(this.parent), (p, m) => {
      const shown = p.toString('latin1');
      if (shown.endsWith('.part')) leftovers.push(shown);
      if (!c.preserveSpecialBits && (m & 0o7000) !== 0) leftovers.push(`${shown} mode ${(m & 0o7777).toString(8)}`);
    });
    if (stray.length > 0 || leftovers.length > 0) throw new Error(`finding: left behind ${JSON.stringify([...stray, ...leftovers])} (${outcome})`);
    return outcome;
  }
}
