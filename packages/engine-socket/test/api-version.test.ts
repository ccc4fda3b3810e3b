import { MAX_API_VERSION, MIN_API_VERSION, compareApiVersions, identifyEngine, negotiateApiVersion } from '../src/index.js';
import { thrownCode } from './fake-engine.js';

describe('API version negotiation', () => {
  it("speaks the lower of ours and the engine's", () => {
    expect(MAX_API_VERSION).toBe('1.41');
    expect(negotiateApiVersion('1.41')).toBe('1.41');
    expect(negotiateApiVersion('1.47')).toBe('1.41');
    expect(negotiateApiVersion('2.0')).toBe('1.41');
    expect(negotiateApiVersion(MIN_API_VERSION)).toBe(MIN_API_VERSION);
    expect(negotiateApiVersion('1.44', { min: '1.24', max: '1.45' })).toBe('1.44');
  });

  it('compares numerically, not as strings', () => {
    expect(compareApiVersions('1.9', '1.10')).toBeLessThan(0);
    expect(compareApiVersions('1.41', '1.41')).toBe(0);
    expect(compareApiVersions('v1.41', '1.40')).toBeGreaterThan(0);
    expect(() => compareApiVersions('x', '1.4')).toThrow(TypeError);
  });

  it('refuses an older engine (ENGINE_UNSUPPORTED_VERSION) and a missing or garbled version (ENGINE_BAD_RESPONSE)', () => {
    expect(thrownCode(() => negotiateApiVersion('1.39'))).toBe('ENGINE_UNSUPPORTED_VERSION');
    expect(thrownCode(() => negotiateApiVersion(undefined))).toBe('ENGINE_BAD_RESPONSE');
    expect(thrownCode(() => negotiateApiVersion('4.3.1'))).toBe('ENGINE_BAD_RESPONSE');
  });
});

describe('engine identification', () => {
  it('Podman by its headers, else by /version components', () => {
    expect(identifyEngine({ 'libpod-api-version': '4.3.1' })).toBe('podman');
    expect(identifyEngine({ server: 'Libpod/4.3.1 (linux)' })).toBe('podman');
    expect(identifyEngine({ server: 'Docker/20.10' }, { Components: [{ Name: 'Engine' }, { Name: 'containerd' }] })).toBe('docker');
    expect(identifyEngine({}, { Components: [{ Name: 'Podman Engine' }] })).toBe('podman');
    expect(identifyEngine({})).toBe('docker');
  });
});
