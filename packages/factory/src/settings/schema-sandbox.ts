import { leaf, map, section } from './schema-nodes.js';
import type { LeafNode, SchemaNode } from './schema-nodes.js';
import { argv, bool, int, memory, num, str, text } from './value-types.js';
import type { ValueType } from './value-types.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const sdk = (type: ValueType, doc: string, extra: Partial<LeafNode> = {}): LeafNode => leaf(type, doc, { library: 'container-sdk', ...extra });
const pool = (type: ValueType, doc: string): LeafNode => leaf(type, doc, { library: 'pool' });

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
    memLimit: sdk(memory, 'Memory limit'),
    cpuPercent: sdk(num({ above: 0, max: 100 * 1024 }), 'CPU share in percent of one core (200: two cores)'),
    pidsLimit: sdk(int(1), 'Most processes at once'),
    network: sdk(str(), "Engine network (`'none'`: offline)"),
    env: envMap('Environment variables', false),
    secretEnv: envMap('Environment variables whose values are secret: never shown by `explain()`, errors or logs', true),
    workdir: sdk(str({ absolute: true }), 'Working directory of commands'),
    user: sdk(str(), 'User commands run as (`name`, `uid`, `uid:gid`)'),
    timeoutMs: sdk(int(1, 2_147_483_647), 'Default timeout of each command (ms)'),
  };
}

/** `sandbox`: defaults of every container `pd.createContainer()` makes (then its own options). */
export const sandboxSection = section(
  {
    image: sdk(str(), 'Image of new sandboxes (and of pools that name none)'),
    ...containerKeys(),
    maxOutputBytes: sdk(int(0), 'Default `maxOutputBytes` of `run()` on these sandboxes'),
    labels: labelMap('Extra labels on each sandbox'),
    project: sdk(str(), 'The `pocketdock.project` label'),
    persist: sdk(bool, '`close()` leaves it running; `shutdown()` stops rather than removes it'),
  },
  'Defaults of `pd.createContainer()`; meanings in the container-sdk README. `image` and the container keys are also the defaults of every pool',
);

/** `pools.<name>`: `pd.pool(name)`'s options (pool's `createPool`; the name is the map key). */
export const poolsMap = map(
  section({
    image: leaf(str(), 'Image of its containers (one of it and `sandbox.image` is required)', { fallback: 'sandbox.image' }),
    command: pool(argv, 'Main process of each container'),
    minIdle: pool(int(0), 'Idle containers kept ready'),
    maxIdle: pool(int(0), 'Idle containers kept at most (>= `minIdle`)'),
    maxSize: pool(int(1), 'Containers at most (>= `minIdle`)'),
    maxWaiting: pool(int(0), 'Callers that may wait'),
    acquireTimeoutMs: pool(int(1), 'Default wait of `acquire` (ms)'),
    maxUses: pool(int(1), 'Leases per container'),
    maxLifetimeMs: pool(int(1), 'Age at which a container is removed (ms)'),
    lifetimeJitter: pool(num({ min: 0, max: 1 }), 'Random shortening of each lifetime (0 to 1)'),
    idleTimeoutMs: pool(int(1), 'Idle containers unused this long are removed (ms)'),
    refillIntervalMs: pool(int(1), 'Refill round period (ms)'),
    maxBackoffMs: pool(int(1), 'Longest wait after failed refills (ms)'),
    maxConcurrentEngineOps: pool(int(1), 'Engine calls at once'),
    resetTimeoutMs: pool(int(1), 'Longest release check (ms)'),
    network: section({
      name: pool(str({ pattern: NAME, patternDoc: 'a network name (letters, digits, _ . -)' }), 'Network every container joins'),
      driver: pool(str(), 'Driver when it is created'),
      create: pool(bool, 'Create it when missing'),
      remove: pool(bool, 'Remove it at shutdown'),
      labels: labelMap('Labels of the network'),
    }),
    container: section(containerKeys(), 'container-sdk options of its containers, over the `sandbox` ones'),
    labels: labelMap('Extra labels on its containers'),
  }),
  'Pools, by name; meanings in the pool README',
  { pattern: /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, doc: 'a pool name (1-63 letters, digits, _ . -)', fromEnv: 'lower' },
);
