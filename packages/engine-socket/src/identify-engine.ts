/** Which engine answers on the socket. */
export type EngineKind = 'docker' | 'podman';

/** The part of `GET /version` identification looks at. */
export interface VersionInfo {
  Components?: { Name?: string }[];
}

type Headers = Record<string, string | string[] | undefined>;

/**
 * Podman announces itself in every response (`Libpod-Api-Version`, `Server: Libpod/...`); answers `true` when the
 * headers say Podman, `undefined` when they do not decide it.
 */
export function isPodmanByHeaders(headers: Headers): boolean | undefined {
  if (headers['libpod-api-version'] !== undefined) return true;
  const server = headers.server;
  if (typeof server === 'string' && /^libpod\//i.test(server)) return true;
  return undefined;
}

/** Identifies the engine from `/_ping` headers, else from the `Components` of `/version`. */
export function identifyEngine(headers: Headers, version?: VersionInfo): EngineKind {
  if (isPodmanByHeaders(headers)) return 'podman';
  const names = (version?.Components ?? []).map((c) => c.Name ?? '');
  return names.some((n) => /podman/i.test(n)) ? 'podman' : 'docker';
}
