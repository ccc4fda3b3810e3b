/** Longest entry name accepted: twice Linux's PATH_MAX (an engine cannot even name a longer path). */
export const MAX_NAME_BYTES = 8192;

/** The components of an archive name (empty and `.` ones dropped); `undefined` for an absolute name or one with `..`. */
export function components(name: Buffer): Buffer[] | undefined {
  if (name[0] === 0x2f || name.length > MAX_NAME_BYTES) return undefined;
  const parts: Buffer[] = [];
  let start = 0;
  while (start <= name.length) {
    let end = name.indexOf(0x2f, start);
    if (end === -1) end = name.length;
    const part = name.subarray(start, end);
    if (part.length === 2 && part[0] === 0x2e && part[1] === 0x2e) return undefined;
    if (part.length > 0 && !(part.length === 1 && part[0] === 0x2e)) parts.push(part);
    start = end + 1;
  }
  return parts;
}

/** The components of `name` below `root` (the first entry's), or `undefined` when it is not below it. */
export function below(root: readonly Buffer[], name: Buffer): Buffer[] | undefined {
  const parts = components(name);
  if (!parts || parts.length < root.length) return undefined;
  for (let i = 0; i < root.length; i++) if (!parts[i]!.equals(root[i]!)) return undefined;
  return parts.slice(root.length);
}

/** A key for a name that compares the normalised components byte for byte (`undefined` for an unsafe name). */
export function nameKey(name: Buffer): string | undefined {
  return components(name)?.map((p) => p.toString('latin1')).join('/');
}
