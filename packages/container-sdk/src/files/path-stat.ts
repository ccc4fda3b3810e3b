/** What a path in a container is: decoded from the engine's `X-Docker-Container-Path-Stat` header. */
export interface PathStat {
  name: string;
  size: number;
  /** Permission bits (and setuid/setgid/sticky), as a Unix mode: 0o755. */
  mode: number;
  type: 'file' | 'directory' | 'symlink' | 'other';
  mtime: Date;
  linkTarget: string;
}

// Go's os.FileMode type bits (the header carries a Go FileMode, not a Unix st_mode).
const GO_DIR = 2 ** 31;
const GO_SYMLINK = 2 ** 27;
const GO_OTHER = [2 ** 26 /* device */, 2 ** 25 /* pipe */, 2 ** 24 /* socket */, 2 ** 21 /* char device */, 2 ** 19 /* irregular */];
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_STICKY = 2 ** 20;

/**
 * Decodes the header: base64 JSON, in the standard alphabet (Docker) or the URL-safe one (older Podman), padded or
 * not; `mode` converted from Go's FileMode bits.
 */
export function decodePathStat(header: string | string[] | undefined): PathStat | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const standard = value.trim().replace(/-/g, '+').replace(/_/g, '/');
  const padded = standard + '='.repeat((4 - (standard.length % 4)) % 4);
  let raw: { name?: string; size?: number; mode?: number; mtime?: string; linkTarget?: string };
  try {
    raw = JSON.parse(Buffer.from(padded, 'base64').toString('utf8')) as typeof raw;
  } catch {
    return undefined;
  }
  const goMode = raw.mode ?? 0;
  const bit = (b: number): boolean => Math.floor(goMode / b) % 2 === 1;
  // Bits above 2^31 do not survive JS bitwise operators: test them arithmetically.
  const type = bit(GO_DIR) ? 'directory' : bit(GO_SYMLINK) ? 'symlink' : GO_OTHER.some(bit) ? 'other' : 'file';
  const mode = (goMode % 512) + (bit(GO_SETUID) ? 0o4000 : 0) + (bit(GO_SETGID) ? 0o2000 : 0) + (bit(GO_STICKY) ? 0o1000 : 0);
  return { name: raw.name ?? '', size: raw.size ?? 0, mode, type, mtime: new Date(raw.mtime ?? 0), linkTarget: raw.linkTarget ?? '' };
}
