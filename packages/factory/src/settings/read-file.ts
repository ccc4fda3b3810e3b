import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { closest } from './did-you-mean.js';
import { collect, isMapping } from './collect.js';
import { FILE_KEY_ALIASES, SCHEMA } from './schema.js';
import { nodeAt } from './schema-nodes.js';
import { LayerOutput } from './sources.js';
import type { LayerName, Source } from './sources.js';

/** Sections of a file that are not named environments. */
const ALWAYS = 'default';
const LAST = 'global';

/** Line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/**
 * The parsed document, or why not. Parser messages are cut to their first line: the rest quotes the file, and a
 * file may hold secrets.
 */
function parse(path: string, text: string): { doc: unknown } | { error: string } {
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.yaml' || ext === '.yml') return { doc: parseYaml(text) as unknown };
    if (ext === '.toml') return { doc: parseToml(text) };
    if (ext === '.json') return { doc: JSON.parse(text) as unknown };
  } catch (err) {
    const e = err as Error & { line?: number; column?: number; linePos?: unknown };
    if (ext === '.json') {
      const at = /position (\d+)/.exec(e.message);
      return { error: `not valid JSON${at ? ` at ${lineColumn(text, Number(at[1]))}` : ''}` };
    }
    const first = e.message.split('\n')[0]!.replace(/:$/, '');
    const where = ext === '.toml' && e.line !== undefined ? ` at line ${e.line}, column ${e.column}` : '';
    return { error: `not valid ${ext === '.toml' ? 'TOML' : 'YAML'}${where}: ${first}` };
  }
  return { error: `unsupported file type "${ext}": use .yaml, .yml, .json or .toml` };
}

/** Adds the settings of one part of a file (its top level, or one section) to `out`. */
function collectRoot(doc: Record<string, unknown>, source: Source, out: LayerOutput): void {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    const alias = Object.hasOwn(FILE_KEY_ALIASES, key) ? FILE_KEY_ALIASES[key] : undefined;
    if (alias) collect(nodeAt(SCHEMA, alias)!, value, alias, source, out, false);
    else plain[key] = value;
  }
  collect(SCHEMA, plain, [], source, out, false);
}

const isSettingKey = (key: string): boolean => Object.hasOwn(SCHEMA.children, key) || Object.hasOwn(FILE_KEY_ALIASES, key);

/**
 * Reads one settings file into `out`: its top-level settings, then its `[default]` section, then the section of the
 * active environment, then `[global]` (dynaconf's order). Every other section is checked too, so a mistake in
 * `[production]` shows in development. Returns false when the file does not exist (and it need not).
 */
export function readSettingsFile(path: string, layer: LayerName, environment: string, out: LayerOutput, mustExist: boolean): boolean {
  const at: Source = { layer, file: path };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!mustExist && (code === 'ENOENT' || code === 'ENOTDIR')) return false;
    out.issue(undefined, code === 'ENOENT' ? 'the settings file does not exist' : `cannot read the settings file (${code ?? (err as Error).message})`, at);
    return true;
  }
  const parsed = parse(path, text);
  if ('error' in parsed) {
    out.issue(undefined, parsed.error, at);
    return true;
  }
  if (parsed.doc === null || parsed.doc === undefined) return true;
  if (!isMapping(parsed.doc)) {
    out.issue(undefined, 'must hold a mapping of settings at its top level', at);
    return true;
  }
  const top: Record<string, unknown> = {};
  const sections = new Map<string, unknown>();
  for (const [key, value] of Object.entries(parsed.doc)) {
    if (isSettingKey(key)) top[key] = value;
    else if ((key === ALWAYS || key === LAST) && !(isMapping(value) || value === null)) out.issue([key], 'must be a mapping of settings (a section)', at);
    else if (key !== ALWAYS && key !== LAST && (closest(key, Object.keys(SCHEMA.children)) !== undefined || !(isMapping(value) || value === null))) {
      top[key] = value; // a misspelt setting, not an environment: reported as an unknown key
    } else sections.set(key, value);
  }
  collectRoot(top, at, out);
  const order = [ALWAYS, ...[...sections.keys()].filter((k) => k.toLowerCase() === environment && k !== ALWAYS && k !== LAST), LAST];
  for (const name of order) {
    const value = sections.get(name);
    if (value !== undefined && value !== null) collectRoot(value as Record<string, unknown>, { ...at, section: name }, out);
  }
  for (const [name, value] of sections) {
    if (order.includes(name) || value === null) continue;
    const unused = new LayerOutput();
    collectRoot(value as Record<string, unknown>, { ...at, section: name }, unused);
    out.issues.push(...unused.issues);
  }
  return true;
}
