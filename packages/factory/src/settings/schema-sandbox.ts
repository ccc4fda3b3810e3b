import { leaf, map, section } from './schema-nodes.js';
import type { LeafNode, SchemaNode } from './schema-nodes.js';
import { argv, bool, int, memory, num, str, text } from './value-types.js';
import type { ValueType } from './value-types.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** pool's `cleanLeases`: a boolean (true: `'replace'`) or the mode by name. */
const cleanLeasesType: ValueType = {
  doc: 'true / false / `wipe` / `replace`',
  check: (v) => (typeof v === 'boolean' || v === 'wipe' || v === 'replace' ? undefined : 'must be true, false, wipe or replace'),
  fromEnv: (t) => (['wipe', 'replace'].includes(t.trim()) ? t.trim() : bool.fromEnv(t)),
};
const sdk = (type: ValueType, doc: string, extra: Partial<LeafNode> = {}): LeafNode => leaf(type, doc, { library: 'container-sdk', ...extra });
const pool = (type: ValueType, doc: string, extra: Partial<LeafNode> = {}): LeafNode => leaf(type, doc, { library: 'pool', ...extra });
const is = (libraryDefault: unknown): Partial<LeafNode> => ({ libraryDefault });
const note = (libraryNote: string): Partial<LeafNode> => ({ libraryNote });

/** Container environment variables: names as the shell knows them. */
function envMap(doc: string, sensitive: boolean): SchemaNode {
  return map(leaf(text, doc, sensitive ? { sensitive: true } : {}), doc, {
    pattern: /^[A-Za-z_][A-Za-z0-9_]*$/,
    doc: 'a variable name (letters, digits, _)',
    fromEnv: 'preserve',
  });
}

const labelMap = (doc: string): SchemaNode =>
  map(leaf(text, doc), doc, { pattern: /^[a-zA-Z0-9][a-zA-Z0-9._/-]*$/, doc: 'a label key (letters, digits, . _ / -)', fromEnv: 'lower' });

/** What a container gets: shared by `sandbox` and each pool's `container`. */
function containerKeys(): Record<string, SchemaNode> {
  return {
    memLimit: sdk(memory, 'Memory limit', note('no limit')),
    cpuPercent: sdk(num({ above: 0, max: 100 * 1024 }), 'CPU share in percent of one core (200: two cores)', note('no limit')),
    pidsLimit: sdk(int(1), 'Most processes at once', is(1024)),
    network: sdk(str(), "Engine network (`'none'`: offline)", is('none')),
    env: envMap('Environment variables', false),
    secretEnv: envMap('Environment variables whose values are secret: never shown by `explain()`, errors or logs', true),
    workdir: sdk(str({ absolute: true }), 'Working directory of commands', note("the image's")),
    user: sdk(str(), 'User commands run as (`name`, `uid`, `uid:gid`)', note("the image's")),
    timeoutMs: sdk(int(1, 2_147_483_647), 'Default timeout of each command (ms)', is(30_000)),
  };
}

/** `sandbox`: defaults of every container `pd.createContainer()` makes (then its own options). */
export const sandboxSection = section(
  {
    image: sdk(str(), 'Image of new sandboxes (and of pools that name none)', is('pocketdock/busybox:test')),
    ...containerKeys(),
    maxOutputBytes: sdk(int(0), 'Default `maxOutputBytes` of `run()` on these sandboxes', is(10 * 1024 * 1024)),
    labels: labelMap('Extra labels on each sandbox'),
    project: sdk(str(), 'The `pocketdock.project` label', note('none')),
    persist: sdk(bool, '`close()` leaves it running; `shutdown()` stops rather than removes it', is(false)),
  },
  'Defaults of `pd.createContainer()`; meanings in the container-sdk README. `image` and the container keys are also the defaults of every pool',
);

/** `pools.<name>`: `pd.pool(name)`'s options (pool's `createPool`; the name is the map key). */
export const poolsMap = map(
  section({
    image: leaf(str(), 'Image of its containers (one of it and `sandbox.image` is required)', { fallback: 'sandbox.image' }),
    command: pool(argv, 'Main process of each container', note("container-sdk's keep-alive command")),
    minIdle: pool(int(0), 'Idle containers kept ready', is(0)),
    maxIdle: pool(int(0), 'Idle containers kept at most (>= `minIdle`)', note('the larger of minIdle and maxSize')),
    maxSize: pool(int(1), 'Containers at most (>= `minIdle`)', is(10)),
    maxWaiting: pool(int(0), 'Callers that may wait', is(1000)),
    acquireTimeoutMs: pool(int(1), 'Default wait of `acquire` (ms)', is(30_000)),
    maxUses: pool(int(1), 'Leases per container', note('no limit')),
    maxLifetimeMs: pool(int(1), 'Age at which a container is removed (ms)', note('no limit')),
    lifetimeJitter: pool(num({ min: 0, max: 1 }), 'Random shortening of each lifetime (0 to 1)', is(0.1)),
    idleTimeoutMs: pool(int(1), 'Idle containers unused this long are removed (ms)', note('never')),
    refillIntervalMs: pool(int(1), 'Refill round period (ms)', is(1_000)),
    maxBackoffMs: pool(int(1), 'Longest wait after failed refills (ms)', is(30_000)),
    maxConcurrentEngineOps: pool(int(1), 'Engine calls at once', is(8)),
    resetTimeoutMs: pool(int(1), 'Longest release check (ms)', is(10_000)),
    cleanLeases: pool(cleanLeasesType, 'No lease sees an earlier lease\'s files or processes: `wipe` (read-only root, scratch tmpfs wiped on release) or `replace` (`true`: a new container per lease)', is(false)),
    scratch: map(leaf(text, "With `cleanLeases: wipe`: tmpfs mount options of this scratch path (a file's keys; none: pool's `DEFAULT_SCRATCH`)", { library: 'pool' }), 'Scratch tmpfs mounts of `cleanLeases: wipe`', {
      pattern: /^\/\S*$/,
      doc: 'an absolute path',
      fromEnv: 'preserve',
    }),
    network: section({
      name: pool(str({ pattern: NAME, patternDoc: 'a network name (letters, digits, _ . -)' }), 'Network every container joins', note('none: the container network applies')),
      driver: pool(str(), 'Driver when it is created', note("the engine's")),
      create: pool(bool, 'Create it when missing', is(true)),
      remove: pool(bool, 'Remove it at shutdown', is(false)),
      labels: labelMap('Labels of the network'),
    }),
    container: section(containerKeys(), 'container-sdk options of its containers, over the `sandbox` ones'),
    labels: labelMap('Extra labels on its containers'),
  }),
  'Pools, by name; meanings in the pool README',
  { pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, doc: 'a pool name (1-63 letters, digits, _ . -)', fromEnv: 'lower' },
);
