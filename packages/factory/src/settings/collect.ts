import { closest } from './did-you-mean.js';
import { SCHEMA } from './schema.js';
import type { SchemaNode, SectionNode } from './schema-nodes.js';
import type { LayerOutput, Source } from './sources.js';

/** Keys that would reach an object's prototype: never a setting, never a map entry. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

let leafPaths: Map<string, string[]> | undefined;

/** Every setting's full key by its last part (`memLimit` -> `sandbox.memLimit`, ...), for "did you mean". */
function pathsByName(): Map<string, string[]> {
  if (leafPaths) return leafPaths;
  const found = new Map<string, string[]>();
  const walk = (node: SchemaNode, path: string[]): void => {
    if (node.kind === 'section') for (const [k, child] of Object.entries(node.children)) walk(child, [...path, k]);
    else if (node.kind === 'map' && node.of.kind === 'section') walk(node.of, [...path, '<name>']);
    const last = path.at(-1);
    if (last !== undefined && node.kind !== 'section') found.set(last, [...(found.get(last) ?? []), path.join('.')]);
  };
  walk(SCHEMA, []);
  leafPaths = found;
  return found;
}

/** "unknown key; did you mean X?" with the nearest sibling, else the same name elsewhere in the tree. */
export function unknownKeyMessage(key: string, siblings: Iterable<string>, prefix: readonly string[]): string {
  const near = closest(key, siblings);
  if (near !== undefined) return `unknown key; did you mean ${[...prefix, near].join('.')}?`;
  const elsewhere = pathsByName().get(closest(key, pathsByName().keys()) ?? '');
  return elsewhere ? `unknown key; did you mean ${elsewhere.join(' or ')}?` : 'unknown key';
}

/**
 * Checks `value` against `node` and adds what it sets to `out` (one entry per setting, one per map entry), or the
 * problems. `fromEnv`: strings are environment text, turned into numbers, booleans and lists first. `null` sets
 * nothing (a YAML key with no value).
 */
export function collect(node: SchemaNode, value: unknown, path: readonly string[], source: Source, out: LayerOutput, fromEnv: boolean): void {
  if (value === null || value === undefined) return;
  if (node.kind === 'leaf') {
    const v = fromEnv && typeof value === 'string' ? node.type.fromEnv(value) : value;
    const why = node.type.check(v);
    if (why === undefined) out.entries.push({ path, value: v, source });
    else out.issue(path, why, source);
    return;
  }
  if (!isMapping(value)) {
    out.issue(path, 'must be a mapping of keys (a table in TOML)', source);
    return;
  }
  if (node.kind === 'section') {
    collectSection(node, value, path, source, out, fromEnv);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, key];
    if (RESERVED.has(key) || !node.key.pattern.test(key)) {
      out.issue(at, `not a valid name: must be ${node.key.doc}`, source);
      continue;
    }
    if (node.of.kind === 'section') out.entries.push({ path: at, value: undefined, source, declares: true });
    collect(node.of, item, at, source, out, fromEnv);
  }
}

function collectSection(node: SectionNode, value: Record<string, unknown>, path: readonly string[], source: Source, out: LayerOutput, fromEnv: boolean): void {
  for (const [key, item] of Object.entries(value)) {
    const child = RESERVED.has(key) || !Object.hasOwn(node.children, key) ? undefined : node.children[key];
    if (child === undefined) out.issue([...path, key], unknownKeyMessage(key, Object.keys(node.children), path), source);
    else collect(child, item, [...path, key], source, out, fromEnv);
  }
}
