/**
 * A throwaway TLS certificate for localhost, made with openssl, for tests that run a real
 * HTTPS server. `opensslAvailable` says whether one can be made on this machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const opensslAvailable = hasOpenssl();

/** A self-signed EC certificate for localhost and 127.0.0.1, valid one day, in a fresh folder (the caller removes `dir`). */
export function localhostCertificate(prefix: string): { dir: string; key: Buffer; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
    { stdio: 'ignore' },
  );
  return { dir, key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}
