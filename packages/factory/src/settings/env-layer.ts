import { collect } from './collect.js';
import { closest } from './did-you-mean.js';
import { META_ENV, SCHEMA } from './schema.js';
import { envSegment, looseKey, nodeAt } from './schema-nodes.js';
import type { SchemaNode } from './schema-nodes.js';
import type { LayerOutput, Source } from './sources.js';
import { jsonFromEnv } from './value-types.js';

const PREFIX = 'POCKETDOCK_';

interface Names {
  /** Alias variable -> key path (`POCKETDOCK_IPC_SOCKET_DIR`, `FLOW_MANAGER_PORT`, `POCKETDOCK_SOCKET`). */
  aliases: Map<string, string[]>;
  /** `SANDBOX_MEM_LIMIT`-style spellings of fixed keys -> their `__` variable, to catch a single `_`. */
  singles: Map<string, string>;
}

let names: Names | undefined;

function envNames(): Names {
  if (names) return names;
  const found: Names = { aliases: new Map(), singles: new Map() };
  const walk = (node: SchemaNode, path: string[]): void => {
    if (node.kind === 'section') for (const [k, child] of Object.entries(node.children)) walk(child, [...path, k]);
    if (node.kind !== 'leaf') return;
    for (const alias of node.envAliases ?? []) found.aliases.set(alias, path);
    found.singles.set(looseKey(path.join('')), PREFIX + path.map(envSegment).join('__'));
  };
  walk(SCHEMA, []);
  names = found;
  return found;
}

/** The key path a `POCKETDOCK_A__B__C` variable names, or why it names none. */
function resolve(segments: string[], pools: readonly string[]): { path: string[]; node: SchemaNode } | { error: string } {
  let node: SchemaNode = SCHEMA;
  const path: string[] = [];
  for (const [i, segment] of segments.entries()) {
    if (node.kind === 'section') {
      const children: string[] = Object.keys(node.children);
      const key: string | undefined = children.find((k) => looseKey(k) === looseKey(segment));
      if (key === undefined) {
        const near = closest(segment, children.map(envSegment));
        const suggestion = near && PREFIX + [...path.map(envSegment), near, ...segments.slice(i + 1)].join('__');
        return { error: `unknown setting${suggestion ? `; did you mean ${suggestion}?` : ''}` };
      }
      path.push(key);
      node = node.children[key]!;
    } else if (node.kind === 'map') {
      const existing = path.join('.') === 'pools' ? pools.find((p) => looseKey(p) === looseKey(segment)) : undefined;
      path.push(existing ?? (node.key.fromEnv === 'lower' ? segment.toLowerCase() : segment));
      node = node.of;
    } else return { error: `unknown setting: ${path.join('.')} has no keys below it` };
  }
  return { path, node };
}

/**
 * The environment layer: the `__` variables (`POCKETDOCK_POOLS__RUNNERS__MIN_IDLE=4`) over the documented aliases
 * (`POCKETDOCK_IPC_SOCKET_DIR`, `POCKETDOCK_SOCKET`, `FLOW_MANAGER_*`). Empty values are ignored. Other
 * `POCKETDOCK_*` variables without `__` belong to other tools and are ignored, unless they spell a setting with a
 * single `_` (`POCKETDOCK_SANDBOX_MEM_LIMIT`), which is reported. `pools` names the pools declared below, so that
 * `POOLS__MY_POOL` finds `my-pool`.
 */
export function readEnv(env: Readonly<Record<string, string | undefined>>, pools: readonly string[], out: LayerOutput): void {
  const { aliases, singles } = envNames();
  const nested: [string, string[], string][] = [];
  for (const name of Object.keys(env).sort()) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const source: Source = { layer: 'env', variable: name };
    const alias = aliases.get(name);
    if (alias) collect(nodeAt(SCHEMA, alias)!, text, alias, source, out, true);
    else if (name.startsWith(PREFIX) && !META_ENV.includes(name)) {
      const rest = name.slice(PREFIX.length);
      if (rest.includes('__')) nested.push([name, rest.split('__'), text]);
      else if (singles.has(looseKey(rest))) out.issue(undefined, `not a settings variable; did you mean ${singles.get(looseKey(rest))}?`, source);
    }
  }
  // Deeper variables last: POCKETDOCK_SANDBOX__ENV__A beats an A inside POCKETDOCK_SANDBOX__ENV='{...}'.
  nested.sort((a, b) => a[1].length - b[1].length);
  for (const [name, segments, text] of nested) {
    const source: Source = { layer: 'env', variable: name };
    const found = resolve(segments, pools);
    if ('error' in found) {
      out.issue(undefined, found.error, source);
      continue;
    }
    const value = found.node.kind === 'leaf' ? text : jsonFromEnv(text);
    collect(found.node, value, found.path, source, out, true);
  }
}
