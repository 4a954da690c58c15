/**
 * A private CA and one certificate signed by it, made by openssl for a test: what cert-manager's CA Issuer
 * puts in a Certificate's Secret (tls.crt, tls.key, ca.crt), for names on loopback.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool } from '../../support/tools.js';

export interface TlsFiles {
  dir: string;
  /** The CA certificate (cert-manager: ca.crt). */
  ca: string;
  /** The leaf certificate and its key (tls.crt, tls.key): server and client auth, like a NATS route needs. */
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A fresh CA named `caName` and a certificate for localhost and 127.0.0.1, valid for a day. */
export function makeTlsFiles(caName = 'cctap test CA'): TlsFiles {
  requireTool('openssl', 'install openssl (Debian: apt-get install -y openssl)');
  const dir = mkdtempSync(join(tmpdir(), 'cctap-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', `/CN=${caName}`], dir);
  openssl(['req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=cctap-nats'], dir);
  writeFileSync(
    join(dir, 'ext.cnf'),
    [
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      'extendedKeyUsage=serverAuth,clientAuth',
      'keyUsage=digitalSignature,keyEncipherment',
      'basicConstraints=CA:FALSE',
    ].join('\n'),
  );
  openssl(
    ['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1'].concat([
      '-out',
      'tls.crt',
      '-extfile',
      'ext.cnf',
    ]),
    dir,
  );
  return { dir, ca: join(dir, 'ca.crt'), cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
}
