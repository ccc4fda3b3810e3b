import { decodePathStat } from '../src/index.js';

const encode = (value: object, urlSafe = false): string => {
  const b64 = Buffer.from(JSON.stringify(value)).toString('base64');
  return urlSafe ? b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : b64;
};

describe('decodePathStat', () => {
  it('decodes the standard alphabet (Docker) and the URL-safe one (older Podman)', () => {
    // a name whose JSON encoding has '+' and '/' in standard base64 (bytes 0xfb, 0xff)
    const stat = { name: 'ûÿ?>>', size: 68, mode: 420, mtime: '2026-11-22T03:07:19Z', linkTarget: '' };
    for (const header of [encode(stat), encode(stat, true)]) {
      expect(decodePathStat(header)).toEqual({ name: 'ûÿ?>>', size: 68, mode: 0o644, type: 'file', mtime: new Date('2026-11-22T03:07:19Z'), linkTarget: '' });
    }
    expect(encode(stat)).toMatch(/[+/]/);
  });

  it("converts Go's FileMode bits", () => {
    const dir = decodePathStat(encode({ name: 'tmp', mode: 2 ** 31 + 2 ** 20 + 0o777 }))!; // ModeDir | ModeSticky | 0777
    expect([dir.type, dir.mode.toString(8)]).toEqual(['directory', '1777']);
    const link = decodePathStat(encode({ name: 'l', mode: 2 ** 27 + 0o777, linkTarget: '/x' }))!;
    expect([link.type, link.linkTarget]).toEqual(['symlink', '/x']);
    const suid = decodePathStat(encode({ name: 's', mode: 2 ** 23 + 0o755 }))!;
    expect([suid.type, suid.mode.toString(8)]).toEqual(['file', '4755']);
    expect(decodePathStat(encode({ name: 'p', mode: 2 ** 25 + 0o644 }))!.type).toBe('other');
  });

  it('returns undefined for a missing or garbled header', () => {
    expect(decodePathStat(undefined)).toBeUndefined();
    expect(decodePathStat('%%%not base64')).toBeUndefined();
  });
});
