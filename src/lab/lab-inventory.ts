/**
 * The lab inventory: the original inventory with every host moved into the lab. Pure text to
 * text, through yaml's Document so the original's comments and layout survive: a reader
 * recognises their own inventory, with lab addresses.
 */
import { isMap, isNode, parseDocument, type Document } from 'yaml';
import type { ResolvedInventory } from '../inventory/resolve.js';
import { companionsOf } from '../inventory/clients.js';
import type { LabAddressing } from './addressing.js';
import { DEPLOY_USER } from './rootfs.js';
import type { HostMode } from './state.js';

export interface LabHostPlacement {
  /** The folder that stands for the host's `/`. */
  root: string;
  sshPort: number;
}

export interface LabInventoryInput {
  /** The original file's text and path (named in the header). */
  text: string;
  origin: string;
  inv: ResolvedInventory;
  addressing: LabAddressing;
  hosts: Record<string, LabHostPlacement>;
  /** The SSH login of every lab host. */
  user: string;
  /** Paths as the lab inventory names them (relative to it). */
  knownHosts: string;
  identity: string;
  /** The public key lines of the lab's operator key pairs, by operator name. */
  operatorKeys: Record<string, string>;
  /** Per client the simulated binary deploy installs: path relative to the lab inventory, and its sha256. */
  clients: Record<string, { source: string; sha256: string }>;
  /** The project's JSON Schema, for editors (the original's relative `$schema` no longer points at it). */
  schema: string;
  /** systemd hosts get what production has: `/`, systemd, a deploy user with sudo. Process when not given. */
  hostMode?: HostMode;
  /** cosmos: each identity's throwaway key's address, written as its consensus_address (what an operator writes). */
  consensusAddresses?: Record<string, string>;
  /** ethereum: each identity's validator index on the lab's beacon chain. */
  validatorIndices?: Record<string, number>;
  /** cardano: each identity's pool id, from the cold key of its throwaway certificate. */
  poolIds?: Record<string, string>;
}

/** Every client an inventory's hosts run: consensus, execution and signer clients. */
export function clientsOf(inv: ResolvedInventory): string[] {
  const names = new Set<string>();
  for (const h of inv.hosts) {
    if (h.client) names.add(h.client);
    if (h.execution) names.add(h.execution);
    for (const c of companionsOf(h.client, h.tier)) names.add(c);
  }
  for (const id of inv.identities) if (id.signer) names.add(id.signer.client);
  return [...names].sort();
}

const setFlowFriendly = (doc: Document, path: string[], value: unknown) =>
  doc.setIn(path, doc.createNode(value, { flow: true }));

export function labInventoryText(input: LabInventoryInput): string {
  const doc = parseDocument(input.text);
  const { addressing: a } = input;
  const enforced = a.mode === 'netns';
  const systemd = input.hostMode === 'systemd';

  for (const h of input.inv.hosts) {
    const lab = a.hosts[h.name]!;
    const place = input.hosts[h.name]!;
    doc.setIn(['hosts', h.name, 'address'], lab.address);
    if (doc.hasIn(['hosts', h.name, 'private_address'])) {
      if (lab.privateAddress) doc.setIn(['hosts', h.name, 'private_address'], lab.privateAddress);
      else doc.deleteIn(['hosts', h.name, 'private_address']);
    }
    // fresh hosts: the first deploy makes each node key and learns its id, as on real new hosts
    doc.deleteIn(['hosts', h.name, 'node_id']);
    if (systemd) {
      // what production says: the host's own / and its own systemd
      doc.setIn(['hosts', h.name, 'root'], '/');
      doc.setIn(['hosts', h.name, 'init'], 'systemd');
    } else {
      doc.setIn(['hosts', h.name, 'root'], place.root);
      doc.setIn(['hosts', h.name, 'init'], 'direct');
    }
    // Loopback hosts share this machine's network stack: their rules must never be loaded on it.
    if (!enforced) doc.setIn(['hosts', h.name, 'firewall'], 'render');
    const hostSsh = doc.getIn(['hosts', h.name, 'ssh']);
    if (place.sshPort !== 22 || isMap(hostSsh)) {
      if (!isMap(hostSsh)) setFlowFriendly(doc, ['hosts', h.name, 'ssh'], {});
      doc.setIn(['hosts', h.name, 'ssh', 'port'], place.sshPort);
      for (const key of ['user', 'identity', 'known_hosts', 'become']) doc.deleteIn(['hosts', h.name, 'ssh', key]);
    }
  }

  if (!isMap(doc.get('ssh'))) setFlowFriendly(doc, ['ssh'], {});
  doc.setIn(['ssh', 'user'], systemd ? DEPLOY_USER : input.user);
  doc.setIn(['ssh', 'identity'], input.identity);
  doc.setIn(['ssh', 'known_hosts'], input.knownHosts);
  doc.setIn(['ssh', 'become'], systemd ? 'sudo' : 'none');
  doc.deleteIn(['ssh', 'port']);

  if (!isMap(doc.get('access'))) setFlowFriendly(doc, ['access'], {});
  setFlowFriendly(doc, ['access', 'admin_cidrs'], [`${a.operator}/32`]);

  for (const [name, key] of Object.entries(input.operatorKeys)) doc.setIn(['operators', name, 'key'], key);

  // the lab's throwaway keys stand for the identities: the chain observer finds them by these
  for (const [identity, address] of Object.entries(input.consensusAddresses ?? {}))
    doc.setIn(['validators', identity, 'consensus_address'], address);
  for (const [identity, index] of Object.entries(input.validatorIndices ?? {}))
    setFlowFriendly(doc, ['validators', identity, 'validator_indices'], [index]);
  for (const [identity, poolId] of Object.entries(input.poolIds ?? {}))
    doc.setIn(['validators', identity, 'pool_id'], poolId);

  if (!isMap(doc.get('clients'))) setFlowFriendly(doc, ['clients'], {});
  for (const [name, sim] of Object.entries(input.clients)) {
    if (!isMap(doc.getIn(['clients', name]))) setFlowFriendly(doc, ['clients', name], {});
    doc.setIn(['clients', name, 'source'], sim.source);
    doc.setIn(['clients', name, 'sha256'], sim.sha256);
    doc.deleteIn(['clients', name, 'binary']);
  }

  // The original's header comment sits on the document or on its first key (when no blank line
  // separates them): move it under the lab header, without its relative $schema line.
  const dropSchema = (comment: string | null | undefined) =>
    comment ? comment.split('\n').filter((line) => !line.includes('yaml-language-server')) : [];
  const original = dropSchema(doc.commentBefore);
  const firstKey = isMap(doc.contents) ? doc.contents.items[0]?.key : undefined;
  if (isNode(firstKey) && firstKey.commentBefore) {
    original.push(...dropSchema(firstKey.commentBefore));
    firstKey.commentBefore = null;
  }
  while (original.length && !original[0]!.trim()) original.shift();
  doc.commentBefore = [
    ` yaml-language-server: $schema=${input.schema}`,
    '',
    ` GENERATED by \`stake lab up\` from ${input.origin}: a lab, not a deployment.`,
    systemd
      ? ` Every host is a Debian machine booted under systemd (systemd-nspawn), reached as ${DEPLOY_USER} with sudo; the client binaries are stake's simulated clients.`
      : " Every host is a real sshd on this machine; the client binaries are stake's simulated clients.",
    ` Addresses: ${a.mode === 'netns' ? `network namespaces on ${a.privateNet} (private) and ${a.publicNet} (public), firewalls enforced` : `loopback ${a.privateNet} and ${a.publicNet}, firewalls rendered but NOT enforced`}.`,
    ' Edit the original and run `stake lab up` again rather than editing this file.',
    ...(original.some((l) => l.trim()) ? ['', ...original] : []),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}
