/** The layers, lowest first. */
export const LAYERS = ['default', 'system', 'user', 'project', 'settingsFile', 'env', 'overrides'] as const;
export type LayerName = (typeof LAYERS)[number];

/** Where a value came from. */
export interface Source {
  layer: LayerName;
  /** The file, for the file layers. */
  file?: string;
  /** The named-environment section of the file (`default`, `production`, `global`), when the value sat in one. */
  section?: string;
  /** The environment variable, for the `env` layer. */
  variable?: string;
}

/** `default`, `/etc/pocketdock/settings.toml [production]`, `env POCKETDOCK_SANDBOX__MEM_LIMIT`, `overrides`. */
export function describeSource(source: Source): string {
  if (source.variable !== undefined) return `env ${source.variable}`;
  if (source.file !== undefined) return source.section === undefined ? source.file : `${source.file} [${source.section}]`;
  return source.layer;
}

/** One value a layer sets, at its key path. `declares` marks a map entry (a pool) named without keys of its own. */
export interface Entry {
  path: readonly string[];
  value: unknown;
  source: Source;
  declares?: true;
}

/** A problem with one key (or one file), and where it came from. */
export interface SettingsIssue {
  /** The dotted key, when the problem is one key's. */
  key?: string;
  message: string;
  /** `describeSource()` of where it came from. */
  source: string;
}

/** What reading layers yields: the values in order (lowest first) and the problems found. */
export class LayerOutput {
  readonly entries: Entry[] = [];
  readonly issues: SettingsIssue[] = [];

  issue(key: readonly string[] | undefined, message: string, source: Source): void {
    this.issues.push({ ...(key && key.length > 0 ? { key: key.join('.') } : {}), message, source: describeSource(source) });
  }
}

/** `key: message (from source)`. */
export function formatIssue(issue: SettingsIssue): string {
  return `${issue.key === undefined ? '' : `${issue.key}: `}${issue.message} (from ${issue.source})`;
}
