import { createHmac, randomBytes } from 'node:crypto';
import { blobType, fingerprint, judgeHostKey, knownHostsName } from '../src/remote/known-hosts.js';

/** An SSH public key blob of `type` (length-prefixed type, then bytes): what a host presents. */
function blob(type: string, seed: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(seed.padEnd(32, '.'))]);
}
const line = (hosts: string, key: Buffer): string => `${hosts} ${blobType(key)} ${key.toString('base64')}`;
const hashed = (name: string): string => {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
};

const KEY = blob('ssh-ed25519', 'right');
const OTHER = blob('ssh-ed25519', 'other');
const RSA = blob('ssh-rsa', 'rsa');
const NAME = knownHostsName('Build.Example', 2222);

describe('known_hosts', () => {
  it('names hosts as OpenSSH does: plain on port 22, [host]:port otherwise, lower case', () => {
    expect(knownHostsName('Host.Example', 22)).toBe('host.example');
    expect(NAME).toBe('[build.example]:2222');
  });

  it('fingerprints like ssh-keygen -l: SHA256 and unpadded base64', () => {
    expect(fingerprint(KEY)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('trusts a listed key: plain names, lists, patterns and hashed entries', () => {
    for (const hosts of [NAME, `other,${NAME}`, '[*.example]:2222', '[build.exampl?]:*', hashed(NAME)]) {
      expect(judgeHostKey([line(hosts, KEY)], [NAME], KEY)).toEqual({ verdict: 'trusted' });
    }
  });

  it('a hashed entry for another name, the same host on another port, or a negated pattern is no match', () => {
    for (const hosts of [hashed('[build.example]:22'), 'build.example', '[*.example]:2222,![build.example]:2222']) {
      expect(judgeHostKey([line(hosts, KEY)], [NAME], KEY).verdict).toBe('unknown');
    }
  });

  it('a host listed with another key of the same type has CHANGED its key', () => {
    expect(judgeHostKey([line(NAME, OTHER)], [NAME], KEY)).toEqual({ verdict: 'changed', revoked: false });
    expect(judgeHostKey([line(hashed(NAME), OTHER)], [NAME], KEY)).toEqual({ verdict: 'changed', revoked: false });
  });

  it('a host known only under another key type is unknown, and says which types are known', () => {
    expect(judgeHostKey([line(NAME, RSA)], [NAME], KEY)).toEqual({ verdict: 'unknown', knownTypes: ['ssh-rsa'] });
  });

  it('@revoked refuses the key even when it is also listed; @cert-authority lines are skipped', () => {
    const text = [`@revoked * ${blobType(KEY)} ${KEY.toString('base64')}`, line(NAME, KEY)].join('\n');
    expect(judgeHostKey([text], [NAME], KEY)).toEqual({ verdict: 'changed', revoked: true });
    expect(judgeHostKey([`@cert-authority ${line(NAME, KEY)}`], [NAME], KEY).verdict).toBe('unknown');
  });

  it('comments, blank and malformed lines are ignored; several files are read together', () => {
    const junk = '# comment\n\n   \nonlyonefield\n|1|bad\n';
    expect(judgeHostKey([junk, line(NAME, KEY)], [NAME], KEY)).toEqual({ verdict: 'trusted' });
  });
});
