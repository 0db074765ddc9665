/**
 * Signing and checking approvals with OpenSSH's own `ssh-keygen -Y`, so an approval is exactly
 * what `ssh-keygen -Y verify` accepts and a key in ssh-agent (or on a hardware token) signs
 * without stake ever reading it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { EXIT } from '../exit-codes.js';
import { StakeError } from '../errors.js';
import { SIGNATURE_NAMESPACE, type ApprovalFile, type VerifiedApproval } from './approval.js';

/** A scratch folder for ssh-keygen's inputs, removed afterwards whatever happens. */
async function withScratch<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'stake-sig-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Signs text with a private key file, or, given only the operator's public key, with the matching
 * key in ssh-agent. Returns the armored signature.
 */
export async function signText(text: string, signer: { keyFile?: string; publicKey: string }): Promise<string> {
  return withScratch(async (dir) => {
    let key = signer.keyFile;
    if (!key) {
      if (!process.env.SSH_AUTH_SOCK)
        throw new StakeError('no key to sign with: --key is not given and there is no ssh-agent ($SSH_AUTH_SOCK)', {
          exitCode: EXIT.usage,
          hint: "pass --key with your operator key's file, or ssh-add it to your agent",
        });
      key = join(dir, 'operator.pub');
      writeFileSync(key, `${signer.publicKey}\n`);
    }
    const result = await execa('ssh-keygen', ['-q', '-Y', 'sign', '-n', SIGNATURE_NAMESPACE, '-f', key], {
      input: text,
      reject: false,
      timeout: 60_000,
      stdin: 'pipe',
    });
    if (result.exitCode !== 0 || !result.stdout.includes('BEGIN SSH SIGNATURE')) {
      const why = result.stderr.trim().split('\n').filter(Boolean).pop() ?? `ssh-keygen exited with ${result.exitCode}`;
      throw new StakeError(`could not sign the plan with ${signer.keyFile ?? 'ssh-agent'}: ${why}`, {
        exitCode: EXIT.failed,
        hint: 'check the key file (and its passphrase), or that the agent holds the key listed for you under operators',
      });
    }
    return `${result.stdout.trim()}\n`;
  });
}

/**
 * Which operator's key made each approval's signature over its own text, checked by
 * `ssh-keygen -Y find-principals` and then `-Y verify` against the inventory's operators.
 */
export async function verifyApprovals(
  approvals: readonly ApprovalFile[],
  operators: Record<string, { key: string }>,
): Promise<VerifiedApproval[]> {
  return withScratch(async (dir) => {
    const allowed = join(dir, 'allowed_signers');
    // One line per operator: the principal is their name in the inventory.
    writeFileSync(
      allowed,
      Object.entries(operators)
        .map(([name, o]) => `${name} namespaces="${SIGNATURE_NAMESPACE}" ${o.key.trim()}\n`)
        .join(''),
    );
    return Promise.all(
      approvals.map(async (approval, i): Promise<VerifiedApproval> => {
        const sig = join(dir, `approval-${i}.sig`);
        writeFileSync(sig, approval.signature);
        const found = await execa(
          'ssh-keygen',
          ['-Y', 'find-principals', '-f', allowed, '-n', SIGNATURE_NAMESPACE, '-s', sig],
          { reject: false, timeout: 30_000 },
        );
        const principals =
          found.exitCode === 0
            ? found.stdout
                .split('\n')
                .map((l) => l.trim())
                .filter(Boolean)
            : [];
        for (const principal of principals) {
          const verified = await execa(
            'ssh-keygen',
            ['-Y', 'verify', '-f', allowed, '-I', principal, '-n', SIGNATURE_NAMESPACE, '-s', sig],
            { input: approval.text, reject: false, timeout: 30_000 },
          );
          if (verified.exitCode === 0) return { approval, signer: principal };
        }
        return { approval, signer: undefined };
      }),
    );
  });
}

/** The shell lines that check an approval by hand, for the docs and the approve command's output. */
export const manualVerifyLines = (file: string) => [
  `sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' ${file} > plan.txt`,
  `sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' ${file} > plan.sig`,
  `ssh-keygen -Y verify -f allowed_signers -I OPERATOR -n ${SIGNATURE_NAMESPACE} -s plan.sig < plan.txt`,
];
