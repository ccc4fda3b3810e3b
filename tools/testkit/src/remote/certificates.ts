import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA made by openssl in `dir`: `<name>.pem` and `<name>-key.pem`. */
async function makeCa(dir: string, name: string): Promise<void> {
  await run('openssl', ['req', '-x509', ...EC, '-keyout', join(dir, `${name}-key.pem`), '-out', join(dir, `${name}.pem`), '-days', '2', '-subj', `/CN=${name}`]);
}

/** A certificate for `cn` signed by the CA `ca`, with the given extensions: `<out>-cert.pem`, `<out>-key.pem`. */
async function makeSigned(dir: string, ca: string, out: string, cn: string, extensions: string): Promise<void> {
  const csr = join(dir, `${out}.csr`);
  const ext = join(dir, `${out}.ext`);
  await writeFile(ext, extensions);
  await run('openssl', ['req', ...EC, '-keyout', join(dir, `${out}-key.pem`), '-out', csr, '-subj', `/CN=${cn}`]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', join(dir, `${ca}.pem`), '-CAkey', join(dir, `${ca}-key.pem`), '-CAcreateserial', '-out', join(dir, `${out}-cert.pem`), '-days', '2', '-extfile', ext]);
}

/**
 * Everything a TLS engine test needs, made with openssl in `dir`: a CA, a server certificate for 127.0.0.1 and
 * localhost, and a Docker-style client certificate directory (`client/ca.pem`, `cert.pem`, `key.pem`, key mode 0600);
 * plus a second, unrelated CA (`wrong-ca/ca.pem`) whose trust must get us nowhere.
 */
export async function makeCertificates(dir: string): Promise<{ clientDir: string; wrongCaDir: string; serverKey: string; serverCert: string; ca: string }> {
  await makeCa(dir, 'ca');
  await makeCa(dir, 'wrong-ca');
  await makeSigned(dir, 'ca', 'server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await makeSigned(dir, 'ca', 'client', 'pocketdock-test-client', 'extendedKeyUsage=clientAuth\n');
  const clientDir = join(dir, 'client');
  const wrongCaDir = join(dir, 'wrong-ca-client');
  for (const d of [clientDir, wrongCaDir]) await mkdir(d);
  await run('cp', [join(dir, 'ca.pem'), join(clientDir, 'ca.pem')]);
  await run('cp', [join(dir, 'wrong-ca.pem'), join(wrongCaDir, 'ca.pem')]);
  for (const d of [clientDir, wrongCaDir]) {
    await run('cp', [join(dir, 'client-cert.pem'), join(d, 'cert.pem')]);
    await run('cp', [join(dir, 'client-key.pem'), join(d, 'key.pem')]);
    await chmod(join(d, 'key.pem'), 0o600);
  }
  return { clientDir, wrongCaDir, serverKey: join(dir, 'server-key.pem'), serverCert: join(dir, 'server-cert.pem'), ca: join(dir, 'ca.pem') };
}
