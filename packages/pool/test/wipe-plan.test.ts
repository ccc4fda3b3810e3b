import { parseWipe, planMounts, scratchMounts, wipeScript } from '../src/wipe.js';

// Lines of a real /proc/self/mountinfo (Docker, read-only root, scratch /tmp and /work), shortened to what counts.
const MOUNTINFO = [
  '700 600 0:80 / / ro,relatime master:1 - overlay overlay rw,lowerdir=/a',
  '701 700 0:81 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '702 700 0:82 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
  '703 702 0:83 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw',
  '704 700 0:84 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro',
  '705 704 0:85 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw,mode=755',
  '706 705 0:30 / /sys/fs/cgroup/cpu ro,nosuid,nodev,noexec,relatime master:9 - cgroup cgroup rw,cpu',
  '707 702 0:79 / /dev/mqueue rw,nosuid,nodev,noexec,relatime - mqueue mqueue rw',
  '708 702 0:86 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k',
  '709 700 0:87 / /tmp rw,nosuid,nodev,relatime - tmpfs tmpfs rw,size=65536k,mode=1777',
  '710 700 0:88 / /my\\040work rw,nosuid,nodev,relatime - tmpfs tmpfs rw',
  '711 700 254:0 /x/hosts /etc/hosts ro,relatime - ext4 /dev/vda rw',
  '712 701 0:82 /null /proc/keys rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
].join('\n');

describe('the wipe plan', () => {
  it('wipes the scratch mounts, /dev/shm and /dev/mqueue, watches the other writable ones, skips the rest', () => {
    expect(planMounts(MOUNTINFO, ['/tmp', '/my work'])).toEqual({
      rootReadOnly: true,
      wiped: ['/dev/mqueue', '/dev/shm', '/tmp', '/my work'],
      watched: ['/dev', '/sys/fs/cgroup', '/proc/keys'],
      nested: [],
    });
  });

  it('knows the mounts inside a wiped one (never removed)', () => {
    const info = `${MOUNTINFO}\n713 709 254:0 /x/init /tmp/init ro,relatime - ext4 /dev/vda rw`;
    expect(planMounts(info, ['/tmp']).nested).toEqual(['/tmp/init']);
  });

  it('sees a writable root', () => {
    expect(planMounts('1 0 0:1 / / rw,relatime - overlay overlay rw', []).rootReadOnly).toBe(false);
  });

  it("adds the image's working directory unless a scratch path holds it", () => {
    expect(Object.keys(scratchMounts({ '/tmp': '' }, '/app/'))).toEqual(['/tmp', '/app']);
    expect(Object.keys(scratchMounts({ '/work': '' }, '/work/x'))).toEqual(['/work']);
    expect(Object.keys(scratchMounts({ '/tmp': '' }, '/'))).toEqual(['/tmp']);
    expect(Object.keys(scratchMounts({ '/tmp': '' }, undefined))).toEqual(['/tmp']);
  });

  it('quotes paths in the script and refuses a main PID that is not one', () => {
    const script = wipeScript(7, { wiped: ["/it's"], watched: ['/dev'], nested: ['/run/podman-init'] });
    expect(script).toContain(`'/it'\\''s'/.[!.]*`);
    expect(script).toContain('1|"$$"|7)');
    expect(script).toContain("case $__pd_f in '/run/podman-init') continue;; esac");
    expect(() => wipeScript(1, { wiped: [], watched: [], nested: [] })).toThrow(RangeError);
  });

  it('reads its output, and nothing else', () => {
    const sum = (c: string, name: string): string => `${c.repeat(32)}  ${name}\n`;
    const names = ['-', '/proc/self/mountinfo', '/proc/sysvipc/shm', '/proc/sysvipc/msg', '/proc/sysvipc/sem'];
    const five = names.map((n, i) => sum('abcde'[i]!, n)).join('');
    expect(parseWipe(`__pd_left=0\n${five}`)).toEqual({ left: 0, fingerprint: ['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(32)).join(',') });
    expect(parseWipe(`__pd_left=3\n${five}`)?.left).toBe(3);
    expect(parseWipe(`__pd_left=0\n${five.split('\n').slice(0, 4).join('\n')}\nmd5sum: /proc/sysvipc/sem: No such file or directory\n`)).toBeUndefined();
    expect(parseWipe('sh: md5sum: not found\n')).toBeUndefined();
  });
});
