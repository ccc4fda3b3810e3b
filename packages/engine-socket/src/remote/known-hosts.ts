import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** One key line of a known_hosts file that names the host. */
interface KnownKey {
  type: string;
  blob: Buffer;
  revoked: boolean;
}

/** What known_hosts says about a host key: trusted, unknown, or known under another key (or revoked). */
export type HostKeyVerdict =
  | { verdict: 'trusted' }
  | { verdict: 'unknown'; knownTypes: string[] }
  | { verdict: 'changed'; revoked: boolean };

/** OpenSSH's fingerprint of a host key blob: `SHA256:` and the unpadded base64 of its SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name known_hosts files use for a host: `host` on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

/** The key type written inside an SSH public key blob (its first length-prefixed string). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return len > 64 || 4 + len > blob.length ? '' : blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's pattern match: `*` any run, `?` one character, case-insensitive. */
function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

/** A hashed entry `|1|salt|hmac`: HMAC-SHA1 of the name, keyed by the salt. Compared in constant time. */
function hashedMatch(entry: string, name: string): boolean {
  const parts = entry.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const expected = Buffer.from(parts[3]!, 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Whether the hosts field of a line names `names` (any of them): a hashed entry, or a comma-separated list of
 * patterns where a negated one (`!pattern`) that matches rules the line out, as in OpenSSH.
 */
function hostsMatch(field: string, names: string[]): boolean {
  if (field.startsWith('|')) return names.some((n) => hashedMatch(field, n));
  let matched = false;
  for (const pattern of field.split(',')) {
    const negated = pattern.startsWith('!');
    const p = negated ? pattern.slice(1) : pattern;
    if (names.some((n) => globMatch(p, n))) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * The keys the known_hosts text `text` holds for `names` (e.g. `[host]:2222`, and the address too). `@revoked`
 * lines are kept (they refuse a key); `@cert-authority` lines are skipped: host certificates are not supported.
 */
export function keysFor(text: string, names: string[]): KnownKey[] {
  const keys: KnownKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]!.startsWith('@')) {
      const marker = fields.shift()!;
      if (marker !== '@revoked') continue;
      revoked = true;
    }
    const [hosts, type, data] = fields;
    if (hosts === undefined || type === undefined || data === undefined) continue;
    if (!hostsMatch(hosts, names)) continue;
    keys.push({ type, blob: Buffer.from(data, 'base64'), revoked });
  }
  return keys;
}

/**
 * Judges the key a host presented against known_hosts texts, as OpenSSH does: a revoked key is refused; a key
 * listed for the host is trusted; a host listed only under other keys of the same type has CHANGED its key (an
 * attacker in the middle, or a reinstalled host: never accepted silently); otherwise the host is unknown.
 */
export function judgeHostKey(texts: string[], names: string[], presented: Buffer): HostKeyVerdict {
  const keys = texts.flatMap((t) => keysFor(t, names));
  const type = blobType(presented);
  const same = keys.filter((k) => k.blob.equals(presented));
  if (same.some((k) => k.revoked)) return { verdict: 'changed', revoked: true };
  if (same.length > 0) return { verdict: 'trusted' };
  if (keys.some((k) => !k.revoked && k.type === type)) return { verdict: 'changed', revoked: false };
  return { verdict: 'unknown', knownTypes: [...new Set(keys.filter((k) => !k.revoked).map((k) => k.type))] };
}
