import { join } from 'node:path';
import { undocumentedCodes } from '@pocketdock/testkit';
import { ENGINE_ERROR_CODES, EngineError } from '../src/index.js';

describe('EngineError', () => {
  it('every code is documented in the README', () => {
    expect(undocumentedCodes(join(__dirname, '../README.md'), ENGINE_ERROR_CODES)).toEqual([]);
  });

  it('is recognised by brand across realms, chains its cause, and carries API details', () => {
    const cause = new Error('root');
    const err = new EngineError('ENGINE_API_ERROR', 'x', { cause, api: { status: 409, engineMessage: 'conflict', method: 'POST', path: '/v1.41/c' } });
    expect(EngineError.is(err)).toBe(true);
    expect(EngineError.is({ [Symbol.for('pocketdock.EngineError')]: true })).toBe(true);
    expect(EngineError.is(new Error('x'))).toBe(false);
    expect(EngineError.is(undefined)).toBe(false);
    expect(err).toMatchObject({ name: 'EngineError', code: 'ENGINE_API_ERROR', cause, status: 409, engineMessage: 'conflict', method: 'POST', path: '/v1.41/c' });
    expect(new EngineError('ENGINE_TIMEOUT', 't').cause).toBeUndefined();
  });
});
