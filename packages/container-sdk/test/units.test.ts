import { join } from 'node:path';
import { undocumentedCodes } from '@pocketdock/testkit';
import { CONTAINER_ERROR_CODES, ContainerError, parseMemory } from '../src/index.js';
import { OutputCollector } from '../src/exec/output-collector.js';
import { RingBuffer } from '../src/exec/ring-buffer.js';
import { killScript, signalName } from '../src/exec/kill-script.js';
import { MarkerScanner } from '../src/session/marker-scanner.js';
import { EngineError } from '@pocketdock/engine-socket';
import { containerError } from '../src/engine-errors.js';

describe('RingBuffer', () => {
  it('keeps everything below capacity, in order', () => {
    const r = new RingBuffer(8);
    r.write(Buffer.from('abc'));
    r.write(Buffer.from('de'));
    expect(r.peek().toString()).toBe('abcde');
    expect(r.overflowed).toBe(false);
  });

  it('at capacity exactly: nothing dropped', () => {
    const r = new RingBuffer(4);
    r.write(Buffer.from('ab'));
    r.write(Buffer.from('cd'));
    expect([r.peek().toString(), r.overflowed]).toEqual(['abcd', false]);
  });

  it('above capacity: keeps the newest bytes across the wrap, and says it dropped some', () => {
    const r = new RingBuffer(4);
    r.write(Buffer.from('abc'));
    r.write(Buffer.from('def'));
    expect([r.peek().toString(), r.overflowed]).toEqual(['cdef', true]);
    r.write(Buffer.from('0123456789'));
    expect(r.peek().toString()).toBe('6789');
  });

  it('drain empties, peek does not', () => {
    const r = new RingBuffer(4);
    r.write(Buffer.from('xyz'));
    expect(r.peek().toString()).toBe('xyz');
    expect(r.drain().toString()).toBe('xyz');
    expect(r.length).toBe(0);
    r.write(Buffer.from('q'));
    expect(r.drain().toString()).toBe('q');
  });

  it('matches a plain model for random writes', () => {
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let round = 0; round < 500; round++) {
      const cap = 1 + rand(16);
      const r = new RingBuffer(cap);
      let model = '';
      for (let w = 0; w < 10; w++) {
        const text = 'x'.repeat(rand(20)).replace(/x/g, () => String.fromCharCode(97 + rand(26)));
        r.write(Buffer.from(text));
        model = (model + text).slice(-cap);
        if (rand(4) === 0) {
          expect(r.drain().toString()).toBe(model);
          model = '';
        }
      }
      expect(r.peek().toString()).toBe(model);
    }
  });
});

describe('OutputCollector', () => {
  const frame = (stream: 'stdout' | 'stderr', text: string) => ({ stream, data: Buffer.from(text) });

  it('cuts exactly at the limit inside a frame', () => {
    const c = new OutputCollector(5);
    expect(c.add(frame('stdout', 'abc'))).toBe(true);
    expect(c.add(frame('stderr', 'defg'))).toBe(false);
    expect([c.text('stdout'), c.text('stderr'), c.truncated]).toEqual(['abc', 'de', true]);
  });

  it('a frame ending exactly at the limit is not truncation; the next byte is', () => {
    const c = new OutputCollector(3);
    expect(c.add(frame('stdout', 'abc'))).toBe(true);
    expect(c.truncated).toBe(false);
    expect(c.add(frame('stdout', 'd'))).toBe(false);
    expect([c.text('stdout'), c.truncated]).toEqual(['abc', true]);
  });
});

describe('MarkerScanner', () => {
  const marker = Buffer.from('__M_1234_');

  it('finds the marker and its trailer split at every byte', () => {
    const whole = Buffer.from('out put\nmore__M_1234_042__\n');
    for (let cut = 0; cut <= whole.length; cut++) {
      for (let cut2 = cut; cut2 <= whole.length; cut2 += 3) {
        const s = new MarkerScanner(marker, 6, 1024);
        for (const part of [whole.subarray(0, cut), whole.subarray(cut, cut2), whole.subarray(cut2)]) if (part.length) s.push(part);
        expect(s.complete).toBe(true);
        expect(s.output().toString()).toBe('out put\nmore');
        expect(s.trailer().toString()).toBe('042__\n');
      }
    }
  });

  it('is not complete until the trailer arrived', () => {
    const s = new MarkerScanner(marker, 6, 1024);
    s.push(Buffer.from('x__M_1234_04'));
    expect(s.complete).toBe(false);
    s.push(Buffer.from('2__\n'));
    expect(s.complete).toBe(true);
  });

  it('ignores a marker with another nonce', () => {
    const s = new MarkerScanner(marker, 6, 1024);
    s.push(Buffer.from('__M_9999_000__\n'));
    expect(s.complete).toBe(false);
    expect(s.output().toString()).toBe('__M_9999_000__\n');
  });

  it('caps stored output and says so, still finding the marker', () => {
    const s = new MarkerScanner(marker, 6, 4);
    s.push(Buffer.from('abcdefgh'));
    s.push(Buffer.from('__M_1234_000__\n'));
    expect([s.complete, s.output().toString(), s.truncated]).toEqual([true, 'abcd', true]);
  });
});

describe('parseMemory', () => {
  it.each([
    ['256m', 256 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['512k', 512 * 1024],
    ['1.5g', 1.5 * 1024 ** 3],
    ['64MiB', 64 * 1024 ** 2],
    [1000, 1000],
  ])('%p -> %p bytes', (input, bytes) => {
    expect(parseMemory(input)).toBe(bytes);
  });

  it('rejects nonsense', () => {
    expect(() => parseMemory('lots')).toThrow(/not a memory size/);
  });
});

describe('kill script', () => {
  it('accepts only known signal names (they go into a shell script)', () => {
    expect(signalName('SIGTERM')).toBe('TERM');
    expect(signalName('kill')).toBe('KILL');
    expect(() => signalName('TERM; rm -rf /')).toThrow(/unsupported signal/);
    expect(killScript('abc', 'KILL')).toContain("tag='POCKETDOCK_EXEC=abc'");
  });
});

describe('ContainerError', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '../README.md'), CONTAINER_ERROR_CODES)).toEqual([]);
  });

  it('is recognised by brand', () => {
    expect(ContainerError.is(new ContainerError('SESSION_CLOSED', 'x'))).toBe(true);
    expect(ContainerError.is(new Error('x'))).toBe(false);
  });
});

describe('containerError (engine answers -> codes)', () => {
  const api = (status: number, engineMessage: string): EngineError =>
    new EngineError('ENGINE_API_ERROR', `HTTP ${status}`, { api: { status, engineMessage, method: 'GET', path: '/x' } });
  it.each([
    [404, 'No such container: abc', 'CONTAINER_NOT_FOUND'],
    [500, 'container abc does not exist in database: no such container', 'CONTAINER_NOT_FOUND'],
    [404, 'No such image: busybox:nope', 'IMAGE_NOT_FOUND'],
    [409, 'Container abc is not running', 'CONTAINER_NOT_RUNNING'],
    [500, 'container state improper', 'CONTAINER_NOT_RUNNING'],
    [500, 'something else broke', 'CONTAINER_ENGINE_ERROR'],
  ])('%i %j -> %s', (status, message, code) => {
    expect(containerError(api(status, message), 'op').code).toBe(code);
  });
});

describe('safeCall', () => {
  // Regression: an Error from the Jest realm made process.emitWarning throw, which broke the exec stream.
  it('never throws, whatever the callback or the reporter throws, and reports the exception', async () => {
    const { safeCall, warnCallbackError } = await import('../src/exec/safe-call.js');
    const reported: unknown[] = [];
    expect(() => safeCall((e) => reported.push(e), () => { throw new Error('cb'); })).not.toThrow();
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless callbacks do
    expect(() => safeCall((e) => reported.push(e), () => { throw 'a string'; })).not.toThrow();
    expect(() => safeCall(() => { throw new Error('reporter broken'); }, () => { throw new Error('cb'); })).not.toThrow();
    expect(() => warnCallbackError(new Error('from the Jest realm'))).not.toThrow();
    expect(reported.map(String)).toEqual(['Error: cb', 'a string']);
  });
});
