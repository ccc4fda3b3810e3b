import { FlowManagerError, flowManagerOptionsSchema } from '../src/index.js';
import { parseFlowManagerOptions } from '../src/options.js';
import { loadFlowManagerConfig } from '../src/config.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return FlowManagerError.is(err) ? err.code : String(err);
  }
  return undefined;
};

describe('the cluster option', () => {
  it('is off by default and takes its defaults when given a Redis URL', () => {
    expect(flowManagerOptionsSchema.parse({}).cluster).toBeUndefined();
    expect(parseFlowManagerOptions({ cluster: { redisUrl: 'redis://127.0.0.1:6379' } }).cluster).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      name: 'default',
      heartbeatMs: 1_000,
      heartbeatTtlMs: 5_000,
      requestTimeoutMs: 30_000,
      adopt: true,
      subscriptionTtlMs: 7 * 24 * 3_600_000,
    });
  });

  it.each([
    ['a URL that is not Redis', { redisUrl: 'http://127.0.0.1:6379' }],
    ['a heartbeat that outlives its own key', { redisUrl: 'redis://h:1', heartbeatMs: 1_000, heartbeatTtlMs: 1_500 }],
    ['an unknown key', { redisUrl: 'redis://h:1', shards: 3 }],
    ['a bad name', { redisUrl: 'redis://h:1', name: 'a b' }],
  ])('refuses %s (FM_INVALID_OPTIONS)', (_what, cluster) => {
    expect(codeOf(() => parseFlowManagerOptions({ cluster }))).toBe('FM_INVALID_OPTIONS');
  });

  it('is read from the environment by the bin, the URL kept out of the defaults', () => {
    const o = loadFlowManagerConfig({
      env: { FLOW_MANAGER_CLUSTER_REDIS_URL: 'redis://:secret@127.0.0.1:6390', FLOW_MANAGER_CLUSTER_NAME: 'flows', FLOW_MANAGER_CLUSTER_HEARTBEAT_TTL_MS: '4000' },
    });
    expect(o.cluster).toMatchObject({ redisUrl: 'redis://:secret@127.0.0.1:6390', name: 'flows', heartbeatMs: 1_000, heartbeatTtlMs: 4_000 });
    expect(loadFlowManagerConfig({ env: {} }).cluster).toBeUndefined();
  });
});
