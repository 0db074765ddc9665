/**
 * The ethereum lab's TLS certificates, issued with the openssl command line as an operator would
 * make them: one certificate authority per lab, a server certificate for each Dirk (the address
 * Vouch and its fellow signers dial is in its subjectAltName, as gRPC checks the dialled host),
 * and a client certificate for each identity's validator client (Dirk takes the requester's name
 * from its common name, and grants by that name: dirk 1.2.0
 * services/api/grpc/interceptors/clientinfo.go). ECDSA P-256, which Go's TLS 1.3 accepts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PemPair {
  cert: string;
  key: string;
}

/** Days a lab certificate lasts: a lab lives for hours. */
const LAB_CERT_DAYS = 30;

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new Error("the ethereum lab issues its signers' TLS certificates with openssl: apt-get install openssl");
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString().trim() || e.message}`);
  }
}

const newKeyArgs = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function inScratch<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'stake-lab-certs-'));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A self-signed certificate authority. */
export function labCertificateAuthority(name: string): PemPair {
  return inScratch((dir) => {
    openssl(
      ['req', '-x509', '-new', ...newKeyArgs, '-keyout', 'ca.key', '-out', 'ca.crt'].concat([
        '-days',
        String(LAB_CERT_DAYS),
        '-subj',
        `/CN=${name}`,
      ]),
      dir,
    );
    return { cert: readFileSync(join(dir, 'ca.crt'), 'utf8'), key: readFileSync(join(dir, 'ca.key'), 'utf8') };
  });
}

/**
 * A leaf certificate signed by the authority, for both server and client use (a Dirk's own
 * certificate is also what it presents to its fellow signers), naming its addresses.
 */
export function issueCertificate(ca: PemPair, commonName: string, names: readonly string[] = []): PemPair {
  return inScratch((dir) => {
    writeFileSync(join(dir, 'ca.crt'), ca.cert);
    writeFileSync(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
    const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    openssl(
      [
        'req',
        '-x509',
        '-new',
        ...newKeyArgs,
        '-keyout',
        'leaf.key',
        '-out',
        'leaf.crt',
        '-days',
        String(LAB_CERT_DAYS),
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        'basicConstraints=critical,CA:FALSE',
        '-addext',
        'extendedKeyUsage=serverAuth,clientAuth',
        ...(san ? ['-addext', `subjectAltName=${san}`] : []),
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
      ],
      dir,
    );
    return { cert: readFileSync(join(dir, 'leaf.crt'), 'utf8'), key: readFileSync(join(dir, 'leaf.key'), 'utf8') };
  });
}
