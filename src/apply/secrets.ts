/**
 * Making a host's secrets on the host (../render/host-secrets.ts says which): before a deploy
 * gathers its plan, each secret a host lacks is created there, by the host's own random source
 * and OpenSSL, with the write idiom of every host script (../ssh/shell.ts: no link followed out
 * of the root, an exclusive temp in the target's directory, the mode from the first byte,
 * synced, renamed into place). A secret already there is never replaced or read: a node key is a
 * node's identity and a JWT is shared by two running clients. Only names and "created" or
 * "present" come back; the secret never crosses the connection.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import { hostSecrets, type HostSecret } from '../render/host-secrets.js';
import type { SshConnection } from '../ssh/connection.js';
import { reported, runStep, ScriptFailure } from '../ssh/run-script.js';
import { SshError } from '../ssh/errors.js';
import { isStrings, resultShape, type ResultOf } from '../ssh/script-result.js';
import { hostPath, regularTargetLine, shq, systemUserLine, writeFromLines } from '../ssh/shell.js';

export const SECRETS_RESULT = resultShape('secrets', { created: isStrings, present: isStrings });

/**
 * Shell that writes a new secret into the temp (a shell word). The node key is what CometBFT's
 * `cometbft init` writes (p2p/key.go: {"priv_key":{"type":"tendermint/PrivKeyEd25519","value":
 * base64(seed ‖ public key)}}): OpenSSL makes the ed25519 key, whose PKCS#8 and SPKI DER forms end
 * in the 32-byte seed and public key. The private key lives in a shell variable only, never in a
 * file but the temp. The JWT is 32 random bytes in hex, as `openssl rand -hex 32` (the engine
 * API's secret: geth and the beacon clients read hex with or without 0x). tmkms's key is any 32
 * random bytes, as its seed.
 */
function produce(secret: HostSecret, temp: string): string[] {
  switch (secret.kind) {
    case 'cometbft-node-key':
      return [
        'stake_der=$(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)',
        'stake_value=$( { printf %s "$stake_der" | base64 -d | tail -c 32; printf %s "$stake_der" | base64 -d | openssl pkey -inform DER -pubout -outform DER | tail -c 32; } | base64 -w0)',
        'unset stake_der',
        `[ "$(printf %s "$stake_value" | base64 -d | wc -c)" -eq 64 ] || { echo 'stake: openssl made no ed25519 key' >&2; exit 1; }`,
        `printf '{"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"%s"}}' "$stake_value" > ${temp}`,
        'unset stake_value',
      ];
    case 'engine-jwt':
      return [`openssl rand -hex 32 | tr -d '\\n' > ${temp}`];
    case 'tmkms-connection-key':
      // what `tmkms init` writes (src/key_utils.rs): base64 of a 32-byte Ed25519 seed, no newline
      return [`openssl rand -base64 32 | tr -d '\\n' > ${temp}`];
  }
}

/** The script: each missing secret made, its owners set where stake manages them; one result line. */
export function secretsScript(root: string, secrets: readonly HostSecret[], manageOwners: boolean): string {
  const out = ['set -eu', 'export LC_ALL=C', 'stake_created=', 'stake_present='];
  if (secrets.length)
    out.push(
      `command -v openssl >/dev/null 2>&1 || { echo 'stake: openssl is needed on this host to make its ${secrets.map((s) => s.what).join(' and ')} (apt-get install openssl)' >&2; exit 1; }`,
    );
  for (const [i, s] of secrets.entries()) {
    const file = hostPath(root, s.path);
    const lines: string[] = [];
    if (manageOwners) {
      for (const user of [...new Set([s.owner, ...s.readers])].filter((u) => u !== 'root'))
        lines.push(systemUserLine(user));
      lines.push(`getent group ${shq(s.group)} >/dev/null 2>&1 || groupadd --system ${shq(s.group)}`);
      for (const user of s.readers.filter((u) => u !== s.owner))
        lines.push(
          `id -nG ${shq(user)} | tr ' ' '\\n' | grep -qx ${shq(s.group)} || usermod -aG ${shq(s.group)} ${shq(user)}`,
        );
    }
    const temp = `stake_s${i}`;
    out.push(
      regularTargetLine(root, s.path),
      `if [ -s ${file} ]; then stake_present="$stake_present ${s.path}"; else`,
      ...lines,
      ...writeFromLines(
        root,
        s.path,
        s.mode,
        (t) => produce(s, t),
        temp,
        manageOwners ? `${s.owner}:${s.group}` : undefined,
      ),
      `stake_created="$stake_created ${s.path}"`,
      'fi',
    );
  }
  // the record by hand (not ../ssh/script-result.ts's resultLine): its lists are built on the host;
  // the paths are stake's own (../render/host-secrets.ts), with nothing to escape in JSON
  out.push(
    `stake_json() { printf '['; stake_sep=; for p in $1; do printf '%s"%s"' "$stake_sep" "$p"; stake_sep=,; done; printf ']'; }`,
    `printf 'stake-result {"step":"secrets","created":%s,"present":%s}\\n' "$(stake_json "$stake_created")" "$(stake_json "$stake_present")"`,
  );
  return `${out.join('\n')}\n`;
}

export type SecretsOutcome = Pick<ResultOf<typeof SECRETS_RESULT>, 'created' | 'present'>;

/** Makes the host's missing secrets. */
export async function ensureSecrets(conn: SshConnection, host: ResolvedHost): Promise<SecretsOutcome> {
  const secrets = hostSecrets(host);
  if (secrets.length === 0) return { created: [], present: [] };
  const script = secretsScript(host.root, secrets, host.root === '/');
  let result: SecretsOutcome;
  try {
    result = await runStep(conn, host, 'secrets', script, 60_000, 'making its secrets').then(
      reported('secrets', SECRETS_RESULT),
    );
  } catch (err) {
    // the host's failure, kept with the host (the session counts it) rather than stopping the others
    if (err instanceof ScriptFailure) throw new SshError(host.name, 'exec', err.message, err.hint);
    throw err;
  }
  const known = new Set(secrets.map((s) => s.path));
  // the host's answer names only paths asked about
  return {
    created: result.created.filter((p) => known.has(p)),
    present: result.present.filter((p) => known.has(p)),
  };
}
