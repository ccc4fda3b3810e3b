import type * as Undici from 'undici';
import type Ssh2 from 'ssh2';

// Dependencies are loaded when a call first needs them, not when the package is imported: undici, zod, yaml,
// smol-toml and ssh2 together cost more than Node's own start-up (docs/benchmarks.md, "engine-socket: import
// cost"). undici is loaded by `connect()` (and detection's probe), zod by option validation (options.ts), yaml
// and smol-toml only when detection reads such a file, ssh2 only for `ssh://`. Node caches each module.

let undici: Promise<typeof Undici> | undefined;

/** undici, on the first connection. */
export function loadUndici(): Promise<typeof Undici> {
  undici ??= import('undici');
  return undici;
}

/** ssh2 (a CommonJS module: its exports are the default export), for an `ssh://` engine. */
export async function loadSsh2(): Promise<typeof Ssh2> {
  return (await import('ssh2')).default;
}

/** yaml's parser, when a pocketdock.yaml is read. */
export async function loadYamlParse(): Promise<(text: string) => unknown> {
  return (await import('yaml')).parse;
}

/** smol-toml's parser, when a Podman containers.conf is read. */
export async function loadTomlParse(): Promise<(text: string) => Record<string, unknown>> {
  return (await import('smol-toml')).parse;
}
