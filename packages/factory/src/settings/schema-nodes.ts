import type { ValueType } from './value-types.js';

/**
 * One setting. `default` is ours when the factory owns the value (ipc, log); otherwise `library` names the package
 * whose own default applies when no layer sets it (the setting is then `undefined` and is not passed on).
 */
export interface LeafNode {
  readonly kind: 'leaf';
  readonly doc: string;
  readonly type: ValueType;
  readonly default?: unknown;
  readonly library?: string;
  /**
   * The value `library` applies when no layer sets this one (shown by `explain()` and the key table; never passed
   * on). A test checks it against the library. Absent when the library has no single value (see `libraryNote`).
   */
  readonly libraryDefault?: unknown;
  /** What the library does when unset, when that is not one value (`not checked`, `half of bufferSize`...). */
  readonly libraryNote?: string;
  /** The setting whose value applies when no layer sets this one (`pools.<name>.image` -> `sandbox.image`). */
  readonly fallback?: string;
  /** Never shown: `explain()`, errors and logs say `[redacted]`. */
  readonly sensitive?: boolean;
  /** Other environment variables that set it (documented names of the libraries, earlier factory names). */
  readonly envAliases?: readonly string[];
}

/** A fixed group of settings. */
export interface SectionNode {
  readonly kind: 'section';
  readonly doc?: string;
  readonly children: Readonly<Record<string, SchemaNode>>;
}

/** Named entries chosen by the user: `pools.<name>`, `sandbox.env.<NAME>`. */
export interface MapNode {
  readonly kind: 'map';
  readonly doc: string;
  readonly key: {
    readonly pattern: RegExp;
    readonly doc: string;
    /** How an environment segment becomes a key: `POOLS__RUNNERS` -> `runners` ('lower'); `ENV__PATH` -> `PATH`. */
    readonly fromEnv: 'lower' | 'preserve';
  };
  readonly of: LeafNode | SectionNode;
}

export type SchemaNode = LeafNode | SectionNode | MapNode;

export function leaf(type: ValueType, doc: string, extra: Omit<LeafNode, 'kind' | 'type' | 'doc'> = {}): LeafNode {
  return { kind: 'leaf', type, doc, ...extra };
}

export function section(children: Record<string, SchemaNode>, doc?: string): SectionNode {
  return { kind: 'section', children, ...(doc === undefined ? {} : { doc }) };
}

export function map(of: LeafNode | SectionNode, doc: string, key: MapNode['key']): MapNode {
  return { kind: 'map', of, doc, key };
}

/** The node at `path` (map keys walk into the map's entries), or undefined. */
export function nodeAt(root: SectionNode, path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode = root;
  for (const part of path) {
    if (node.kind === 'section') {
      const next: SchemaNode | undefined = Object.hasOwn(node.children, part) ? node.children[part] : undefined;
      if (!next) return undefined;
      node = next;
    } else if (node.kind === 'map') node = node.of;
    else return undefined;
  }
  return node;
}

/** `memLimit` -> `MEM_LIMIT`, `flowManager` -> `FLOW_MANAGER`. */
export function envSegment(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Equal for `memLimit`, `MEM_LIMIT`, `mem-limit`, `memlimit`. */
export function looseKey(key: string): string {
  return key.replace(/[_.-]/g, '').toLowerCase();
}
