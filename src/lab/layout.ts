/** Where a lab keeps its pieces inside its folder (`stake lab up --dir DIR`). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_LAB_DIR = '.stake-lab';

export const labPaths = (dir: string) => ({
  dir,
  /** What `lab up` made, by pid and name: what `lab down` undoes. Written atomically. */
  state: join(dir, 'lab.json'),
  inventory: join(dir, 'inventory.yaml'),
  knownHosts: join(dir, 'known_hosts'),
  clientKey: join(dir, 'client_ed25519'),
  authorizedKeys: join(dir, 'authorized_keys'),
  sshdConfig: join(dir, 'sshd_config'),
  operators: join(dir, 'operators'),
  bin: join(dir, 'bin'),
  /** The lab's throwaway signing keys: the "offline export" an operator would keep. */
  keys: join(dir, 'keys'),
  hosts: join(dir, 'hosts'),
  host: (name: string) => join(dir, 'hosts', name),
  root: (name: string) => join(dir, 'hosts', name, 'root'),
  chain: join(dir, 'chain'),
  chainLog: join(dir, 'chain', 'chain.log'),
  /** Every signature the chain accepted, one JSON object per line. */
  signatures: join(dir, 'chain', 'signatures.ndjson'),
});

/**
 * The chain's socket. A Unix socket path reaches across network namespaces (it lives in the file
 * system), which is how every simulated client reaches the one chain; such paths are limited to
 * 107 bytes, so a deep lab folder gets its socket in the temporary folder instead.
 */
export function chainSocketPath(dir: string, slot: number): string {
  const inDir = join(dir, 'chain', 'chain.sock');
  return Buffer.byteLength(inDir) <= 100 ? inDir : join(tmpdir(), `stake-lab${slot}-${process.getuid?.() ?? 0}.sock`);
}

/** Machine-wide claims of lab slots (a slot is a /23 or a 127.x range): one file per slot naming its lab folder. */
export const slotClaimsDir = () => join(tmpdir(), 'stake-lab-slots');

/**
 * systemd hosts: where the lab's own pieces are bound read-only inside every host (under /opt,
 * which the rendered units' ProtectSystem=strict keeps readable and PrivateTmp/ProtectHome do not
 * hide): the Node.js runtime and this project (the simulated clients), and the view folder.
 */
export const IN_HOST = {
  node: '/opt/stake-lab/node',
  project: '/opt/stake-lab/stake',
  view: '/opt/stake-lab/lab',
} as const;

/**
 * systemd hosts: the folder on this machine bound at IN_HOST.view: a copy of lab.json and the
 * chain's socket, nothing else of the lab (its keys folder above all) reaches a host. A short path
 * whatever the lab folder's, for the socket's 107 bytes.
 */
export const viewDirOf = (slot: number) => `/run/stake-lab${slot}-view`;
