import fc from 'fast-check';
import { ContainerError } from '../src/index.js';
import { decodeHeader, paxRecords } from '../src/files/tar-header.js';
import { rawHeader } from './tar-fixtures.js';

// The tar reader's pure core against arbitrary bytes: a header block decodes to sane fields or fails with
// FILE_INVALID_ARCHIVE, never with anything else (10,000 cases; POCKETDOCK_PROPERTY_RUNS raises it).
const RUNS = Number(process.env.POCKETDOCK_PROPERTY_RUNS ?? 10_000);

function outcome(fn: () => unknown): 'ok' | 'invalid' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (ContainerError.is(err) && err.code === 'FILE_INVALID_ARCHIVE') return 'invalid';
    throw err;
  }
}

/** 512 bytes of seeded noise (cheaper than fast-check drawing each byte). */
function noise(seed: number): Buffer {
  const b = Buffer.alloc(512);
  let x = seed | 1;
  for (let i = 0; i < 512; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const validBlock = fc
  .record({
    name: fc.string({ maxLength: 100 }).filter((s) => Buffer.byteLength(s, 'latin1') <= 100),
    flag: fc.constantFrom('0', '1', '2', '5', 'x', 'L', 'g', '\0', '7', 'Z'),
    size: fc.oneof(fc.nat(0o77777777777).map((n) => `${n.toString(8).padStart(11, '0')}\0`), fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => Buffer.from(b))),
    mode: fc.nat(0o7777777),
  })
  .map((r) => rawHeader({ name: r.name, flag: r.flag, sizeField: r.size, mode: r.mode }));

describe('tar header decoding (property)', () => {
  it(`any block (valid, mutated or random) decodes to sane fields or is FILE_INVALID_ARCHIVE (${RUNS} cases)`, () => {
    const block = fc.oneof(
      validBlock,
      fc.tuple(validBlock, fc.array(fc.tuple(fc.nat(511), fc.nat(255)), { minLength: 1, maxLength: 4 })).map(([b, flips]) => {
        const copy = Buffer.from(b);
        for (const [at, v] of flips) copy[at] = v;
        return copy;
      }),
      fc.nat().map(noise),
    );
    fc.assert(
      fc.property(block, (b) => {
        let decoded: ReturnType<typeof decodeHeader> | undefined;
        if (outcome(() => (decoded = decodeHeader(b, 't'))) === 'invalid') return;
        if (decoded === 'end') return;
        expect(Number.isSafeInteger(decoded!.size) && decoded!.size >= 0).toBe(true);
        expect(decoded!.mode).toBeLessThanOrEqual(0o7777);
        expect(decoded!.name.includes(0)).toBe(false);
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it(`PAX records: parsed exactly, or FILE_INVALID_ARCHIVE (${RUNS} cases)`, () => {
    const record = (key: string, value: Buffer): Buffer => {
      const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
      let len = body.length + 1;
      while (String(len).length + body.length !== len) len = String(len).length + body.length;
      return Buffer.concat([Buffer.from(String(len)), body]);
    };
    const good = fc.array(fc.tuple(fc.constantFrom('path', 'linkpath', 'size', 'mtime', 'x'), fc.uint8Array({ maxLength: 300 })), { maxLength: 4 });
    fc.assert(
      fc.property(good, fc.option(fc.tuple(fc.nat(), fc.nat(255))), (records, flip) => {
        const data = Buffer.concat(records.map(([k, v]) => record(k, Buffer.from(v))));
        if (!flip) {
          const parsed = paxRecords(data, 't');
          const last = new Map<string, Buffer>(records.map(([k, v]) => [k, Buffer.from(v)])); // a key given twice: the last one counts
          expect([...parsed].every(([k, v]) => last.get(k)?.equals(v))).toBe(true);
          expect(parsed.size).toBe(last.size);
          return;
        }
        if (data.length === 0) return;
        data[flip[0] % data.length] = flip[1];
        outcome(() => paxRecords(data, 't'));
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });
});
