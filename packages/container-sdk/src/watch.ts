import { ContainerError } from './errors.js';
import { ExecHandle } from './exec/exec-handle.js';
import type { ExecSpec } from './exec/exec-handle.js';
import type { EngineClient } from '@pocketdock/engine-socket';
import { lazySchema } from './lazy-schema.js';
import { parseOptions } from './options.js';

/**
 * The watcher, run inside the container: busybox has no inotify applet in every build (the test image's has none), so
 * it polls. Each round `find` + `stat` list the tree (inode, mode, size, mtime with nanoseconds, name) and `awk`
 * compares it with the previous round: a name that appeared with the inode of one that vanished is a rename.
 * `$1` path, `$2` recursive (1/0), `$3` interval in seconds. Prints `R` once the first round is taken, then
 * `C|M|D<TAB>path` and `N<TAB>from<TAB>to`; `X` when the path does not exist.
 */
const WATCH_SCRIPT = `[ -e "$1" ] || { echo X; exit 0; }
depth='-maxdepth 1'
[ "$2" = 1 ] && depth=''
while :; do
  find "$1" $depth -exec stat -c '%i %A %s %y|%n' {} + 2>/dev/null
  echo @@
  sleep "$3"
done | awk '
$0 == "@@" {
  if (round++ == 0) { print "R"; fflush(); for (n in cur) { old[n] = cur[n]; oino[n] = ino[n] } delete cur; delete ino; next }
  for (n in old) if (!(n in cur)) gone[oino[n]] = n
  for (n in cur) {
    if (!(n in old)) {
      if (ino[n] in gone) { printf "N\\t%s\\t%s\\n", gone[ino[n]], n; delete gone[ino[n]] }
      else printf "C\\t%s\\n", n
    } else if (old[n] != cur[n] && substr(cur[n], 1, 1) != "d") printf "M\\t%s\\n", n
  }
  for (i in gone) printf "D\\t%s\\n", gone[i]
  delete gone; delete old; delete oino
  for (n in cur) { old[n] = cur[n]; oino[n] = ino[n] }
  delete cur; delete ino
  fflush(); next
}
{
  bar = index($0, "|"); if (bar == 0) next
  head = substr($0, 1, bar - 1); name = substr($0, bar + 1)
  sp = index(head, " ")
  ino[name] = substr(head, 1, sp - 1); cur[name] = substr(head, sp + 1)
}'`;

/** One file event. `rename`: `oldPath` -> `path`. `overflow`: the queue was full; `dropped` events were lost. */
export interface WatchEvent {
  type: 'create' | 'modify' | 'delete' | 'rename' | 'overflow';
  path: string;
  oldPath?: string;
  dropped?: number;
}

/** Options of `Container.watch()`. */
export interface WatchOptions {
  /** Watch the whole tree under `path` (default false: `path` and its direct entries). */
  recursive?: boolean;
  /** Poll interval inside the container; default 100 ms (20 ms to 60 s). */
  intervalMs?: number;
  /** Events held for a slow reader; default 1000. Past it, events are dropped and one `overflow` event says how many. */
  maxQueue?: number;
}

const watchOptionsSchema = lazySchema((z) =>
  z.strictObject({
    recursive: z.boolean().default(false),
    intervalMs: z.number().int().min(20).max(60_000).default(100),
    maxQueue: z.number().int().min(1).max(1_000_000).default(1000),
  }),
);

const CODES: Record<string, WatchEvent['type']> = { C: 'create', M: 'modify', D: 'delete' };

/**
 * File events under a path inside the sandbox, as an async iterator. Ends on `return()` (a `break`), `close()`, or
 * when the container shuts down; the watcher process inside the container is killed then. Names holding a newline
 * or a tab are not reported reliably. Each round lists the whole watched tree: keep it small.
 *
 * @example
 * await using w = await c.watch('/work', { recursive: true });
 * for await (const e of w) if (e.type === 'create') console.log('new file', e.path);
 */
export class FileWatch implements AsyncIterableIterator<WatchEvent>, AsyncDisposable {
  readonly #queue: WatchEvent[] = [];
  readonly #waiters: ((r: IteratorResult<WatchEvent>) => void)[] = [];
  #dropped = 0;
  #done = false;
  #handle: ExecHandle | undefined;

  private constructor(private readonly maxQueue: number) {}

  /** @internal use `Container.watch()` */
  static async open(engine: EngineClient, containerId: string, path: string, options: WatchOptions, track: (h: ExecHandle) => () => void): Promise<FileWatch> {
    const opts = parseOptions(watchOptionsSchema, options, 'watch');
    if (typeof path !== 'string' || !path.startsWith('/') || path.includes('\0') || path.includes('\n')) {
      throw new ContainerError('FILE_INVALID_PATH', `watch: path must be absolute, without NUL or newline: ${JSON.stringify(String(path)).slice(0, 80)}`);
    }
    const watch = new FileWatch(opts.maxQueue);
    let pending = '';
    let ready!: { resolve: () => void; reject: (e: unknown) => void };
    const started = new Promise<void>((resolve, reject) => (ready = { resolve, reject }));
    const onLine = (line: string): void => {
      if (line === 'R') return ready.resolve();
      if (line === 'X') return ready.reject(new ContainerError('FILE_NOT_FOUND', `watch: no file or directory ${path}`));
      const [code = '', a = '', b] = line.split('\t');
      if (code === 'N' && b !== undefined) watch.#push({ type: 'rename', path: b, oldPath: a });
      else if (CODES[code]) watch.#push({ type: CODES[code], path: a });
    };
    const spec: ExecSpec = { argv: ['sh', '-c', WATCH_SCRIPT, 'pocketdock-watch', path, opts.recursive ? '1' : '0', String(opts.intervalMs / 1000)], env: {}, user: '0' };
    const handle = await ExecHandle.start(engine, containerId, spec, (frame) => {
      if (frame.stream !== 'stdout') return;
      pending += frame.data.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    watch.#handle = handle;
    const untrack = track(handle);
    void handle.closed.then(() => {
      untrack();
      ready.reject(new ContainerError('CONTAINER_ENGINE_ERROR', `watch ${path}: the watcher ended before it started`));
      watch.#finish();
    });
    try {
      await started;
    } catch (err) {
      await watch.return();
      throw err;
    }
    return watch;
  }

  #push(event: WatchEvent): void {
    if (this.#done) return;
    const waiter = this.#waiters.shift();
    if (waiter) return waiter({ value: event, done: false });
    if (this.#queue.length >= this.maxQueue) {
      this.#dropped++;
      return;
    }
    this.#queue.push(event);
  }

  #finish(): void {
    this.#done = true;
    for (const w of this.#waiters.splice(0)) w({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    const event = this.#queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.#dropped > 0) {
      const dropped = this.#dropped;
      this.#dropped = 0;
      return Promise.resolve({ value: { type: 'overflow', path: '', dropped }, done: false });
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends the watch: the watcher in the container is killed, the connection closed. Idempotent. */
  async return(): Promise<IteratorResult<WatchEvent>> {
    this.#queue.length = 0;
    this.#dropped = 0;
    this.#finish();
    const h = this.#handle;
    if (h) {
      if (h.running) await h.kill('KILL').catch(() => undefined);
      h.destroy();
      await h.closed;
    }
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async close(): Promise<void> {
    await this.return();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
