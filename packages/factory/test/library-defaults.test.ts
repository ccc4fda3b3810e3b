import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolOptions } from '@pocketdock/pool';
import { SCHEMA } from '../src/settings/schema.js';
import type { LeafNode, SchemaNode } from '../src/settings/schema-nodes.js';
import { API_VERSIONS } from '../src/settings/schema-services.js';
import type { PoolSettings } from '../src/settings/values.js';
import { isolated } from './helpers.js';

// The factory loads these libraries on first use only (pocketdock.ts): tests load them the same way.
const sdk = () => import('@pocketdock/container-sdk');
const engineSocket = () => import('@pocketdock/engine-socket');
const flowManager = () => import('@pocketdock/flow-manager');

const shown = (v: unknown): string => JSON.stringify(v).replace(/^"(.*)"$/, '$1');

/** Every leaf under `prefix`, by its dotted key below it (`pools.<name>` walks into a pool). */
function leaves(prefix: string): Map<string, LeafNode> {
  const found = new Map<string, LeafNode>();
  const walk = (node: SchemaNode, path: string[]): void => {
    if (node.kind === 'leaf') found.set(path.join('.'), node);
    else if (node.kind === 'section') for (const [k, child] of Object.entries(node.children)) walk(child, [...path, k]);
    else if (node.of.kind === 'section' && path.join('.') === 'pools') walk(node.of, path);
  };
  walk(SCHEMA, []);
  const below = new Map<string, LeafNode>();
  for (const [key, node] of found) if (key.startsWith(`${prefix}.`)) below.set(key.slice(prefix.length + 1), node);
  return below;
}

/** The default cell of `key`'s first row in a package README's options tables, normalised (`1 000` -> `1000`, `10 MiB` -> bytes). */
function documentedDefault(pkg: string, key: string): string | undefined {
  const readme = readFileSync(join(__dirname, `../../${pkg}/README.md`), 'utf8');
  const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
  const cell = row?.split('|')[2]?.trim();
  if (cell === undefined) return undefined;
  const plain = cell.replace(/[`']/g, '').replace(/(\d) (?=\d{3}\b)/g, '$1');
  const mib = /^(\d+) MiB/.exec(plain);
  return mib ? String(Number(mib[1]) * 1024 * 1024) : plain;
}

describe("the libraries' defaults that explain() and the key table show", () => {
  it("flowManager: each is flow-manager's own (its exported schema), and every default it has is shown", async () => {
    const { clusterOptionsSchema, flowManagerOptionsSchema } = await flowManager();
    const actual = flowManagerOptionsSchema.parse({}) as Record<string, unknown>;
    // flowManager.cluster.* against the cluster option's own schema (only its redisUrl has no default)
    const cluster = clusterOptionsSchema.parse({ redisUrl: 'redis://127.0.0.1:6379' }) as Record<string, unknown>;
    for (const [key, node] of leaves('flowManager')) {
      const [own, field] = key.startsWith('cluster.') ? [{ ...cluster, redisUrl: undefined }, key.slice('cluster.'.length)] : [actual, key];
      if (node.libraryDefault !== undefined) expect([key, node.libraryDefault]).toEqual([key, own[field]]);
      else if (node.fallback === undefined) expect([key, own[field]]).toEqual([key, undefined]);
    }
  });

  it("engine: the API range is engine-socket's, and each default is the one its README documents", async () => {
    const { MAX_API_VERSION, MIN_API_VERSION } = await engineSocket();
    expect(API_VERSIONS).toEqual({ min: MIN_API_VERSION, max: MAX_API_VERSION });
    const readme = readFileSync(join(__dirname, '../../engine-socket/README.md'), 'utf8');
    for (const [key, node] of leaves('engine')) {
      if (key === 'apiVersion' || node.libraryDefault === undefined) continue;
      // the tls option's fields have no table row: the README says TLS always verifies unless told not to
      if (key === 'tls.verify') expect([key, node.libraryDefault, readme]).toEqual([key, true, expect.stringContaining('TLS **always verifies**')]);
      // the ssh option's fields have a table of their own, whose rows name the field (`engine`, `acceptUnknownHost`)
      else expect([key, documentedDefault('engine-socket', key.split('.').at(-1)!)]).toEqual([key, shown(node.libraryDefault)]);
    }
  });

  it("sandbox and pools: container-sdk's and pool's documented defaults", async () => {
    const { DEFAULT_PIDS_LIMIT } = await sdk();
    expect(leaves('sandbox').get('pidsLimit')?.libraryDefault).toBe(DEFAULT_PIDS_LIMIT);
    for (const [key, node] of leaves('sandbox')) {
      if (node.libraryDefault !== undefined) expect([key, documentedDefault('container-sdk', key)]).toEqual([key, shown(node.libraryDefault)]);
    }
    const poolReadme = readFileSync(join(__dirname, '../../pool/README.md'), 'utf8');
    for (const [key, node] of leaves('pools')) {
      if (node.libraryDefault === undefined || key.startsWith('container.')) continue;
      if (key === 'maxBackoffMs') expect(poolReadme).toContain('`maxBackoffMs` (30 000)');
      else if (key.startsWith('network.')) expect(poolReadme).toContain(`${key.slice('network.'.length)}? = ${shown(node.libraryDefault)}`);
      else expect([key, documentedDefault('pool', key)]).toEqual([key, shown(node.libraryDefault)]);
    }
  });

  it('explain(): an unset key shows the default by value, source default; others say what the library does', async () => {
    const [{ DEFAULT_PIDS_LIMIT }, { MAX_API_VERSION }] = await Promise.all([sdk(), engineSocket()]);
    const settings = isolated('/', { overrides: { sandbox: { memLimit: '256m' }, pools: { runners: { image: 'busybox', container: { cpuPercent: 50 } } } } });
    const rows = new Map(settings.explain().map((r) => [r.key, r]));
    expect(rows.get('pools.runners.maxSize')).toMatchObject({ value: 10, source: 'default', layer: 'default', library: 'pool' });
    expect(rows.get('engine.apiVersion')).toMatchObject({ value: MAX_API_VERSION, source: 'default', library: 'engine-socket' });
    expect(rows.get('engine.timeoutMs')).toMatchObject({ value: 30_000, source: 'default' });
    expect(rows.get('sandbox.network')).toMatchObject({ value: 'none', source: 'default', library: 'container-sdk' });
    expect(rows.get('flowManager.port')).toMatchObject({ value: 7070, source: 'default', library: 'flow-manager' });
    expect(rows.get('ipc.slowConsumerTimeoutMs')).toMatchObject({ value: 10_000, source: 'default', layer: 'default' });
    expect(rows.get('ipc.highWaterMarkBytes')).toMatchObject({ value: undefined, source: "ipc-core's default: 64 KiB, or half of `bufferSize` when that is less", layer: 'library' });
    expect(rows.get('flowManager.token')).toMatchObject({ value: undefined, layer: 'library' });
    // A pool's container keys take the sandbox's value when set there, else their own default.
    expect(rows.get('pools.runners.container.memLimit')).toMatchObject({ value: '256m', source: 'as sandbox.memLimit' });
    expect(rows.get('pools.runners.container.cpuPercent')).toMatchObject({ value: 50, source: 'overrides' });
    expect(rows.get('pools.runners.container.pidsLimit')).toMatchObject({ value: DEFAULT_PIDS_LIMIT, source: 'default' });
    expect(rows.get('flowManager.logLevel')).toMatchObject({ value: 'info', source: 'as log.level' });
    // get() still says unset: the library applies its own default, nothing is passed on.
    expect(settings.get('pools.runners.maxSize')).toBeUndefined();
  });
});

describe("PoolSettings is pool's PoolOptions", () => {
  // Every key of PoolSettings, no more (the compiler refuses a missing or an extra one): compared with the schema's.
  const KEYS: Record<keyof PoolSettings, true> = {
    image: true,
    command: true,
    minIdle: true,
    maxIdle: true,
    maxSize: true,
    maxWaiting: true,
    acquireTimeoutMs: true,
    maxUses: true,
    maxLifetimeMs: true,
    lifetimeJitter: true,
    idleTimeoutMs: true,
    refillIntervalMs: true,
    maxBackoffMs: true,
    maxConcurrentEngineOps: true,
    resetTimeoutMs: true,
    network: true,
    container: true,
    cleanLeases: true,
    scratch: true,
    labels: true,
  };
  type Network = NonNullable<PoolOptions['network']>;
  const NETWORK_KEYS: Record<keyof Network, true> = { name: true, driver: true, create: true, remove: true, labels: true };

  it('the settings schema of a pool has exactly its keys (and its network)', () => {
    const pool = (SCHEMA.children['pools'] as Extract<SchemaNode, { kind: 'map' }>).of as Extract<SchemaNode, { kind: 'section' }>;
    expect(Object.keys(pool.children).sort()).toEqual(Object.keys(KEYS).sort());
    const network = pool.children['network'] as Extract<SchemaNode, { kind: 'section' }>;
    expect(Object.keys(network.children).sort()).toEqual(Object.keys(NETWORK_KEYS).sort());
  });

  it('a pool of the settings, with a name and an image, is a PoolOptions (checked by the compiler)', () => {
    const settings: PoolSettings = { image: 'busybox', minIdle: 1, network: { name: 'n' }, container: { memLimit: '64m' } };
    const { network, container, ...rest } = settings;
    const options: PoolOptions = { ...rest, name: 'runners', image: settings.image!, network: { ...network, name: network!.name! }, container };
    expect(options.name).toBe('runners');
  });
});
