import { join } from 'node:path';
import { undocumentedCodes } from '@pocketdock/testkit';
import { DEMUX_ERROR_CODES, DemuxError } from '../src/index.js';

describe('DemuxError', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '../README.md'), DEMUX_ERROR_CODES)).toEqual([]);
  });

  it('is recognised by brand across realms, and chains its cause', () => {
    const cause = new Error('root');
    const err = new DemuxError('DEMUX_TRUNCATED', 'cut', { cause });
    expect(DemuxError.is(err)).toBe(true);
    expect(DemuxError.is({ ...err, [Symbol.for('pocketdock.DemuxError')]: true })).toBe(true);
    expect(DemuxError.is(new Error('x'))).toBe(false);
    expect(DemuxError.is(null)).toBe(false);
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('DemuxError');
  });
});
