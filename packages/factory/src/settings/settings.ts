import { inspect } from 'node:util';
import type { Assignment, Merged } from './merge.js';
import { SCHEMA } from './schema.js';
import { nodeAt } from './schema-nodes.js';
import type { LeafNode, SchemaNode } from './schema-nodes.js';
import { describeSource } from './sources.js';
import type { LayerName } from './sources.js';
import type { SettingsKey, SettingsValueAt, SettingsValues } from './values.js';

export const REDACTED = '[redacted]';

/** One key of {@link Settings.explain}: its value and where it came from. */
export interface SettingExplanation {
  key: string;
  /**
   * `'[redacted]'` for a secret. When no layer set it: the default that applies (the factory's, or the library's
   * own value), or `undefined` when the library has no single value (`source` then says what it does).
   */
  value: unknown;
  /**
   * `default` (the factory's or `library`'s default value), `<library>'s default: <what it does>`, `as
   * sandbox.image` (another key's value applies), a file (with its `[section]`), `env NAME` or `overrides`.
   */
  source: string;
  layer: LayerName | 'library';
  /** For a library's default: the package it comes from (`pool`, `engine-socket`...). */
  library?: string;
  /** Values of lower layers this one replaced, lowest first (secrets redacted). */
  overrode: { value: unknown; source: string }[];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The value at `parts`, where a map key may itself hold dots (`labels.com.example.team`). */
function valueAt(tree: unknown, parts: readonly string[]): unknown {
  if (parts.length === 0) return tree;
  if (typeof tree !== 'object' || tree === null) return undefined;
  for (let n = 1; n <= parts.length; n++) {
    const key = parts.slice(0, n).join('.');
    if (Object.hasOwn(tree, key)) return valueAt((tree as Record<string, unknown>)[key], parts.slice(n));
  }
  return undefined;
}

/** `sandbox.<key>` for a pool's `pools.<name>.container.<key>`: the sandbox's value applies when the pool sets none. */
function sandboxKeyOf(path: readonly string[], values: SettingsValues): string | undefined {
  if (path.length !== 4 || path[0] !== 'pools' || path[2] !== 'container') return undefined;
  // A pool with a network of its own does not take the sandbox's (see wiring's poolOptions).
  return path[3] === 'network' && values.pools[path[1]!]?.network !== undefined ? undefined : `sandbox.${path[3]}`;
}

/**
 * Every setting, layered, validated and typed, with where each value came from. Made by `loadSettings()` (and by
 * `createPocketdock()`); read-only. Printing it (`JSON.stringify`, `console.log`) shows secrets as `[redacted]`.
 *
 * @example
 * const settings = loadSettings();
 * settings.get('sandbox.memLimit'); // '256m', or undefined: container-sdk's default applies
 * console.log(settings.explainText());
 */
export class Settings {
  readonly #values: SettingsValues;
  readonly #history: Map<string, Assignment[]>;
  /** The named environment in use (`POCKETDOCK_ENV`, default `development`). */
  readonly environment: string;
  /** The settings files read, lowest layer first. */
  readonly files: readonly string[];

  /** @internal use `loadSettings()` */
  constructor(merged: Merged, environment: string, files: readonly string[]) {
    this.#values = deepFreeze(merged.values);
    this.#history = merged.history;
    this.environment = environment;
    this.files = Object.freeze([...files]);
  }

  /** The whole tree (frozen; secrets included: do not log it, log `explain()` or the Settings itself). */
  get values(): SettingsValues {
    return this.#values;
  }

  get engine(): SettingsValues['engine'] {
    return this.#values.engine;
  }
  get sandbox(): SettingsValues['sandbox'] {
    return this.#values.sandbox;
  }
  get pools(): SettingsValues['pools'] {
    return this.#values.pools;
  }
  get flowManager(): SettingsValues['flowManager'] {
    return this.#values.flowManager;
  }
  get ipc(): SettingsValues['ipc'] {
    return this.#values.ipc;
  }
  get log(): SettingsValues['log'] {
    return this.#values.log;
  }

  /**
   * The value at a dotted key (frozen), `undefined` when unset.
   *
   * @example
   * settings.get('pools.runners.minIdle'); // number | undefined
   */
  get<K extends SettingsKey>(key: K): SettingsValueAt<K> {
    return valueAt(this.#values, key.split('.')) as SettingsValueAt<K>;
  }

  /** Every key (each pool's and each map entry's too): its value, secrets redacted, and the layer it came from. */
  explain(): SettingExplanation[] {
    const rows: SettingExplanation[] = [];
    const visit = (node: SchemaNode, path: string[]): void => {
      if (node.kind === 'leaf') rows.push(this.#row(node, path));
      else if (node.kind === 'section') for (const [k, child] of Object.entries(node.children)) visit(child, [...path, k]);
      else {
        const entries = valueAt(this.#values, path);
        for (const name of Object.keys(entries ?? {}).sort()) visit(node.of, [...path, name]);
      }
    };
    visit(SCHEMA, []);
    return rows;
  }

  /** {@link explain} as aligned lines: `key = value   source`. */
  explainText(): string {
    const rows = this.explain();
    const shown = rows.map((r) => [r.key, r.value === undefined ? '(unset)' : typeof r.value === 'string' && r.value === REDACTED ? REDACTED : JSON.stringify(r.value)]);
    const keyWidth = Math.max(...shown.map(([k]) => k!.length));
    const valueWidth = Math.min(48, Math.max(...shown.map(([, v]) => v!.length)));
    return rows.map((r, i) => `${shown[i]![0]!.padEnd(keyWidth)} = ${shown[i]![1]!.padEnd(valueWidth)}  ${r.source}`).join('\n');
  }

  #row(node: LeafNode, path: string[]): SettingExplanation {
    const key = path.join('.');
    const hide = (v: unknown): unknown => (node.sensitive && v !== undefined ? REDACTED : v);
    const assignments = this.#history.get(key) ?? [];
    const final = assignments.at(-1);
    const value = hide(valueAt(this.#values, path));
    const overrode = assignments.slice(0, -1).map((a) => ({ value: hide(a.value), source: describeSource(a.source) }));
    if (final) return { key, value, source: describeSource(final.source), layer: final.source.layer, overrode };
    const inherited = node.fallback ?? sandboxKeyOf(path, this.#values);
    if (inherited !== undefined && (node.fallback !== undefined || this.#history.has(inherited))) {
      const parts = inherited.split('.');
      const target = this.#row(nodeAt(SCHEMA, parts) as LeafNode, parts);
      return { key, value: target.value, source: `as ${inherited}`, layer: 'default', overrode };
    }
    const library = node.library === undefined ? {} : { library: node.library };
    if (node.libraryDefault !== undefined) return { key, value: hide(node.libraryDefault), source: 'default', layer: 'default', ...library, overrode };
    const what = node.libraryNote === undefined ? '' : `: ${node.libraryNote}`;
    return { key, value: undefined, source: `${node.library ?? 'the library'}'s default${what}`, layer: 'library', ...library, overrode };
  }

  /** The values with secrets redacted, so that printing settings never shows one. */
  toJSON(): unknown {
    const copy = structuredClone(this.#values) as unknown as Record<string, unknown>;
    for (const row of this.explain()) {
      if (row.value !== REDACTED) continue;
      const parts = row.key.split('.');
      const parent = valueAt(copy, parts.slice(0, -1)) as Record<string, unknown>;
      parent[parts.at(-1)!] = REDACTED;
    }
    return copy;
  }

  [inspect.custom](): unknown {
    return this.toJSON();
  }
}
