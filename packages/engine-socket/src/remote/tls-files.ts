import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import type { EngineErrorCode } from '../errors.js';

/** A certificate or key larger than this is not one. */
const MAX_PEM_BYTES = 1024 * 1024;

function configError(code: EngineErrorCode, message: string, cause?: unknown): EngineError {
  return new EngineError(code, message, cause === undefined ? {} : { cause });
}

/**
 * Reads one PEM file, or undefined when it does not exist. A private key (`secret`) must be a regular file owned
 * by us (or root) and readable by nobody else (mode `0600` or stricter), checked on the open descriptor, as ssh
 * does with its keys: a key others can read is a key others have. The file's content never appears in an error.
 * Failures are `errorCode` (`ENGINE_TLS_CONFIG` for TLS material, `ENGINE_SSH_CONFIG` for an ssh identity file).
 */
export async function readPem(path: string, secret: boolean, errorCode: EngineErrorCode = 'ENGINE_TLS_CONFIG'): Promise<Buffer | undefined> {
  const tlsConfigError = (message: string, cause?: unknown): EngineError => configError(errorCode, message, cause);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') return undefined;
    throw tlsConfigError(`cannot read ${path} (${String(code)})`, err);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw tlsConfigError(`${path} is not a regular file`);
    if (info.size > MAX_PEM_BYTES) throw tlsConfigError(`${path} is larger than ${MAX_PEM_BYTES} bytes: not a certificate or key`);
    if (secret) {
      const uid = process.getuid?.();
      if (uid !== undefined && info.uid !== uid && info.uid !== 0) {
        throw tlsConfigError(`refusing the private key ${path}: it is owned by uid ${info.uid}, not by us (uid ${uid}) or root`);
      }
      if ((info.mode & 0o077) !== 0) {
        const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
        throw tlsConfigError(`refusing the private key ${path}: mode ${mode} lets others read it; run chmod 600 ${path}`);
      }
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** The files of a Docker certificate directory (`$DOCKER_CERT_PATH`, default `~/.docker`). */
export async function readCertDir(dir: string): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  const [ca, cert, key] = await Promise.all([readPem(join(dir, 'ca.pem'), false), readPem(join(dir, 'cert.pem'), false), readPem(join(dir, 'key.pem'), true)]);
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
