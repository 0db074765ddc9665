/** A valid cosmos inventory whose hosts are sshd test hosts: their addresses, ports, roots, init: direct, firewall: render. */
import type { TestHosts } from './sshd.js';

const ROLES = ['sentry-a', 'sentry-b', 'val-a', 'val-b', 'witness'] as const;
export const TEST_HOST_NAMES = [...ROLES];

export interface SshInventoryOptions {
  knownHosts?: string;
  jump?: Partial<Record<string, string>>;
  /** A p2p port per cometbft host: they all share this machine, so each needs its own. */
  p2p?: Partial<Record<string, number>>;
  /** The `clients:` block (YAML flow mapping), e.g. to install a stand-in binary. */
  clients?: string;
  /** More keys for one host's mapping, e.g. `ssh: ...` is taken; `labels: {}`. */
  become?: Partial<Record<string, 'sudo'>>;
}

export function sshInventory(lab: TestHosts, options: SshInventoryOptions = {}): string {
  const host = (name: string) => lab.hosts.find((h) => h.name === name)!;
  const common = (name: string) => {
    const h = host(name);
    const jump = options.jump?.[name];
    const become = options.become?.[name];
    const p2p = options.p2p?.[name];
    return `address: ${h.address}, root: ${h.root}, init: direct, firewall: render, ssh: { port: ${h.port}${jump ? `, jump: ${jump}` : ''}${become ? `, become: ${become}` : ''} }${p2p ? `, ports: { p2p: ${p2p} }` : ''}`;
  };
  const id = (n: number) => n.toString(16).padStart(40, '0');
  return `version: 1
name: ssh-test
chain: { family: cosmos, network: testchain-1 }
datacenters:
  dc-a: { provider: loopback, country: DE }
  dc-b: { provider: loopback, country: PL }
  dc-c: { provider: loopback, country: NL }
${options.clients ? `clients: ${options.clients}\n` : ''}ssh: { user: root, identity: ${lab.clientKey}, known_hosts: ${options.knownHosts ?? lab.knownHosts} }
operators:
  alice: { key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFp/dwi4kLVqOyCVJxxvw1Z4InS/KQPLMqzCY2szNnpu alice@ops.example" }
  bob: { key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILOOKOC4ODm9xHdFYUi6vULnd9zSSONQlkAuy7gifOhu bob@ops.example" }
hosts:
  sentry-a: { tier: sentry, dc: dc-a, client: cometbft, node_id: "${id(1)}", ${common('sentry-a')} }
  sentry-b: { tier: sentry, dc: dc-b, client: cometbft, node_id: "${id(2)}", ${common('sentry-b')} }
  val-a: { tier: validator, dc: dc-a, client: cometbft, node_id: "${id(3)}", ${common('val-a')} }
  val-b: { tier: validator, dc: dc-b, client: cometbft, node_id: "${id(4)}", ${common('val-b')} }
  witness: { tier: witness, dc: dc-c, ${common('witness')} }
validators:
  test-id:
    active: val-a
    standby: [val-b]
    upstream: [sentry-a, sentry-b]
    witness: witness
`;
}
