import { dirname, resolve } from 'node:path';
import { LAYERS } from './sources.js';
import type { Entry, LayerOutput, Source } from './sources.js';
import type { SettingsValues } from './values.js';

/** One value a key took, and where from. */
export interface Assignment {
  value: unknown;
  source: Source;
}

/** The merged tree and, for every key set, each value it took (lowest layer first). */
export interface Merged {
  values: SettingsValues;
  history: Map<string, Assignment[]>;
  /** Where each map entry (a pool) was first named. */
  declared: Map<string, Source>;
}

type Tree = Record<string, unknown>;

function objectAt(tree: Tree, path: readonly string[]): Tree {
  let node = tree;
  for (const part of path) {
    const next = node[part];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Tree;
    else node = node[part] = {};
  }
  return node;
}

/** Mappings merge key by key; any other value (lists too) replaces the one below. */
export function merge(entries: readonly Entry[]): Merged {
  const tree: Tree = {};
  const history = new Map<string, Assignment[]>();
  const declared = new Map<string, Source>();
  for (const entry of entries) {
    if (entry.declares) {
      objectAt(tree, entry.path);
      const key = entry.path.join('.');
      if (!declared.has(key)) declared.set(key, entry.source);
      continue;
    }
    const parent = objectAt(tree, entry.path.slice(0, -1));
    parent[entry.path.at(-1)!] = Array.isArray(entry.value) ? [...(entry.value as unknown[])] : entry.value;
    const key = entry.path.join('.');
    history.set(key, [...(history.get(key) ?? []), { value: entry.value, source: entry.source }]);
  }
  for (const section of ['engine', 'sandbox', 'pools', 'flowManager']) objectAt(tree, [section]);
  return { values: tree as unknown as SettingsValues, history, declared };
}

const last = (merged: Merged, key: string): Assignment | undefined => merged.history.get(key)?.at(-1);

/** Where a map entry was first named, or (for one only the environment names) where its first key came from. */
function namedAt(merged: Merged, key: string): Source | undefined {
  const declared = merged.declared.get(key);
  if (declared) return declared;
  for (const [k, assignments] of merged.history) if (k.startsWith(`${key}.`)) return assignments[0]!.source;
  return undefined;
}

/**
 * `engine.socket` as engine-socket reads it: `unix://` dropped, and a relative path taken from the directory of the
 * file that names it (from the working directory when it came from the environment or overrides).
 */
export function resolveSocket(merged: Merged, cwd: string): void {
  const set = last(merged, 'engine.socket');
  if (!set) return;
  const raw = (set.value as string).replace(/^unix:\/\//, '');
  merged.values.engine.socket = resolve(set.source.file ? dirname(set.source.file) : cwd, raw);
}

const ADDRESS_KEYS = ['engine.socket', 'engine.host', 'engine.context'] as const;

/**
 * Which engine: of `engine.socket`, `engine.host` and `engine.context`, the one set in the highest layer is used
 * (`--host` on the command line beats a project file's `socket:`), the others are dropped (`explain()` lists their
 * values under the winner's `overrode`). Two set in the same layer are a mistake: which one was meant?
 */
export function resolveEngineAddress(merged: Merged, out: LayerOutput): void {
  const set = ADDRESS_KEYS.flatMap((key) => {
    const a = last(merged, key);
    return a ? [{ key, a, rank: LAYERS.indexOf(a.source.layer) }] : [];
  });
  if (set.length < 2) return;
  const top = Math.max(...set.map((s) => s.rank));
  const winners = set.filter((s) => s.rank === top);
  if (winners.length > 1) {
    const [first, ...others] = winners.map((w) => w.key);
    out.issue(others[0]!.split('.'), `set only one of ${[first, ...others].join(', ')} in one layer (they all choose the engine)`, winners[1]!.a.source);
    return;
  }
  const winner = winners[0]!;
  const dropped: Assignment[] = [];
  for (const s of set) {
    if (s === winner) continue;
    dropped.push(...merged.history.get(s.key)!);
    merged.history.delete(s.key);
    delete (merged.values.engine as Record<string, unknown>)[s.key.slice('engine.'.length)];
  }
  merged.history.set(winner.key, [...dropped, ...merged.history.get(winner.key)!]);
}

/** Rules across keys, checked on the merged result; each problem names the layer of the key it names. */
export function checkMerged(merged: Merged, out: LayerOutput): void {
  const { values } = merged;
  const blame = (key: string, message: string, fallback?: Source): void => {
    const source = last(merged, key)?.source ?? fallback ?? { layer: 'default' };
    out.issue(key.split('.'), message, source);
  };
  const { portRangeStart: start, portRangeEnd: end } = values.ipc.tcp;
  if (start > end) {
    // Blame whichever of the two was set higher up: that is the one the user just changed.
    const rank = (key: string): number => LAYERS.indexOf(last(merged, key)?.source.layer ?? 'default');
    if (rank('ipc.tcp.portRangeStart') > rank('ipc.tcp.portRangeEnd')) blame('ipc.tcp.portRangeStart', `must be <= ipc.tcp.portRangeEnd (${end})`);
    else blame('ipc.tcp.portRangeEnd', `must be >= ipc.tcp.portRangeStart (${start})`);
  }
  for (const [name, pool] of Object.entries(values.pools)) {
    const key = `pools.${name}`;
    if (pool.image === undefined && values.sandbox.image === undefined) blame(`${key}.image`, 'required: set it, or sandbox.image', namedAt(merged, key));
    if (pool.minIdle !== undefined && pool.maxSize !== undefined && pool.minIdle > pool.maxSize) blame(`${key}.minIdle`, `must be <= maxSize (${pool.maxSize})`);
    if (pool.minIdle !== undefined && pool.maxIdle !== undefined && pool.maxIdle < pool.minIdle) blame(`${key}.maxIdle`, `must be >= minIdle (${pool.minIdle})`);
    if (pool.network !== undefined && pool.network.name === undefined) blame(`${key}.network.name`, 'required when the pool has a network', namedAt(merged, key));
    if (pool.network !== undefined && pool.container?.network !== undefined) blame(`${key}.container.network`, 'set network or container.network, not both');
  }
}
