import { SCHEMA } from './schema.js';
import { envSegment } from './schema-nodes.js';
import type { SchemaNode } from './schema-nodes.js';

/** One row of the key table. */
export interface SettingReference {
  /** `sandbox.memLimit`, `pools.<name>.minIdle`, `sandbox.env.<NAME>`. */
  key: string;
  type: string;
  /** The factory's default, or whose default applies when unset. */
  default: string;
  /** The `__` variable first, then the documented aliases. */
  env: string[];
  doc: string;
  secret: boolean;
}

/** Every setting, as documented in the README's key table (generated from the schema). */
export function settingsReference(): SettingReference[] {
  const rows: SettingReference[] = [];
  const walk = (node: SchemaNode, path: string[], env: string[]): void => {
    if (node.kind === 'section') {
      for (const [k, child] of Object.entries(node.children)) walk(child, [...path, k], [...env, envSegment(k)]);
      return;
    }
    if (node.kind === 'map') {
      const upper = node.key.fromEnv === 'preserve' ? '<NAME>' : '<name>';
      walk(node.of, [...path, upper], [...env, '<NAME>']);
      return;
    }
    const value = node.default;
    const entry = path.at(-1)!.startsWith('<'); // an entry of a map (env, labels): there are none by default
    const library = node.library ?? 'the library';
    const def =
      value !== undefined
        ? `\`${JSON.stringify(value)}\``
        : node.fallback !== undefined
          ? `\`${node.fallback}\``
          : entry
            ? 'none'
            : node.libraryDefault !== undefined
              ? `\`${JSON.stringify(node.libraryDefault)}\` (${library})`
              : `${library}'s${node.libraryNote === undefined ? '' : `: ${node.libraryNote}`}`;
    rows.push({
      key: path.join('.'),
      type: node.type.doc,
      default: def,
      env: [`POCKETDOCK_${env.join('__')}`, ...(node.envAliases ?? [])],
      doc: node.doc,
      secret: node.sensitive === true,
    });
  };
  walk(SCHEMA, [], []);
  return rows;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The key table as Markdown (the README holds this text between its `settings-table` markers). */
export function settingsTable(): string {
  const lines = ['| key | type | default | environment | meaning |', '|---|---|---|---|---|'];
  for (const r of settingsReference()) {
    const env = r.env.map((e) => `\`${e}\``).join(', ');
    lines.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.default)} | ${env} | ${cell(r.doc)}${r.secret ? ' (secret)' : ''} |`);
  }
  return lines.join('\n');
}
