import { z } from 'zod';
import { MAX_API_VERSION, MIN_API_VERSION, compareApiVersions } from './api-version.js';
import type { DetectionHost } from './detection/detection-host.js';

export { z };

// The zod schema of ConnectOptions: its own module, imported by parseConnectOptions on first use (load.ts says why).

const positiveMs = z.number().int().positive().max(2_147_483_647);

const apiVersion = z
  .string()
  .regex(/^\d+\.\d+$/, 'must be an API version like 1.41')
  .refine((v) => !/^\d+\.\d+$/.test(v) || (compareApiVersions(v, MIN_API_VERSION) >= 0 && compareApiVersions(v, MAX_API_VERSION) <= 0), {
    message: `must be between ${MIN_API_VERSION} and ${MAX_API_VERSION}`,
  });

const pem = z.union([z.string().min(1), z.instanceof(Buffer)]).optional();

export const connectOptionsSchema = z
  .strictObject({
    socketPath: z.string().min(1).optional(),
    dockerHost: z.string().min(1).optional(),
    tls: z
      .union([
        z.boolean(),
        z.strictObject({
          certPath: z.string().min(1).optional(),
          ca: pem,
          cert: pem,
          key: pem,
          caFile: z.string().min(1).optional(),
          certFile: z.string().min(1).optional(),
          keyFile: z.string().min(1).optional(),
          verify: z.boolean().optional(),
          servername: z.string().min(1).optional(),
        }),
      ])
      .optional(),
    allowInsecureTcp: z.boolean().default(false),
    ssh: z
      .strictObject({
        identityFile: z.string().min(1).optional(),
        privateKey: pem,
        passphrase: z.string().optional(),
        agent: z.union([z.string().min(1), z.literal(false)]).optional(),
        knownHostsFiles: z.array(z.string().min(1)).optional(),
        hostKeyFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must be an OpenSSH SHA256 fingerprint (SHA256:...)').optional(),
        acceptUnknownHost: z.boolean().optional(),
        engine: z.enum(['docker', 'podman']).optional(),
      })
      .optional(),
    connectionMode: z.enum(['keep-alive', 'per-operation']).default('keep-alive'),
    maxConnections: z.number().int().min(1).max(1024).default(32),
    keepAliveTimeoutMs: positiveMs.default(4_000),
    connectTimeoutMs: positiveMs.default(5_000),
    timeoutMs: positiveMs.default(30_000),
    probeTimeoutMs: positiveMs.default(2_000),
    apiVersion: apiVersion.optional(),
    configFiles: z.boolean().default(true),
    maxJsonBytes: z.number().int().positive().default(64 * 1024 * 1024),
    signal: z.instanceof(AbortSignal).optional(),
    host: z
      .strictObject({
        env: z.record(z.string(), z.string().optional()).optional(),
        platform: z.string().optional(),
        homedir: z.string().optional(),
        cwd: z.string().optional(),
        fs: z.custom<DetectionHost['fs']>((v) => typeof v === 'object' && v !== null).optional(),
      })
      .optional(),
  })
  .refine((o) => o.socketPath === undefined || o.dockerHost === undefined, { message: 'give socketPath or dockerHost, not both' });
