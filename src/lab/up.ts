/**
 * `stake lab up`: a real SSH host per inventory host, a simulated chain, throwaway keys, and a
 * lab inventory that points stake at all of it. Every piece is recorded in DIR/lab.json before it
 * is made or as soon as it exists, so `lab down` can undo a lab that crashed half-way up; a lab up
 * that fails takes down what it made itself, claim included, before it throws.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedInventory } from '../inventory/load.js';
import { projectPath } from '../paths.js';
import { shq } from '../ssh/shell.js';
import { addressesOf, planAddresses, type LabMode } from './addressing.js';
import { placeLabKeys } from './keys.js';
import { clientsOf, labInventoryText } from './lab-inventory.js';
import { clientReference, referenceVersions } from '../reference/client-reference.js';
import { UsageError } from '../errors.js';
import { chainSocketPath, labPaths } from './layout.js';
import { createLabNetwork, namespaceNames, netnsUnavailable } from './netns.js';
import { recordProcess } from './processes.js';
import { labDown } from './down.js';
import { claimSlot, releaseSlot } from './slots.js';
import { startHostSshd } from './host-ssh.js';
import { keygen, knownHostsLine, writeSshdConfig } from './sshd.js';
import { waitFor } from '../wait.js';
import { PROJECT_ROOT } from '../paths.js';
import { loadInventory } from '../inventory/load.js';
import { renderDeployment } from '../render/deployment.js';
import { IN_HOST, viewDirOf } from './layout.js';
import { inMachine } from './machines.js';
import { bootSystemdHosts } from './systemd-hosts.js';
import { ensureRootfs, ROOTFS_SUITE } from './rootfs.js';
import { keyOwnersScript } from './key-owners.js';
import type { PlacedKey } from './keys.js';
import { writeLabState, type HostMode, type LabHostRecord, type LabState } from './state.js';
import { poolIdOf } from '../observe/ogmios.js';

/** The points `lab up` passes, each once its pieces so far are made and recorded. */
export type UpStage = 'claimed' | 'network' | 'sshd' | 'keys' | 'chain';

export interface UpOptions {
  dir: string;
  mode: LabMode;
  /** How the hosts run (process when not given). systemd needs namespaces (mode netns). */
  hosts?: HostMode;
  blockTimeMs: number;
  /** Progress lines for people. */
  say(line: string): void;
  /** Ends the up at the next stage (Ctrl-C, SIGTERM): what was made is taken down. */
  signal?: AbortSignal;
  /** Test seam: told of each stage with the state so far; throwing there fails the up at that point. */
  reached?: (stage: UpStage, state: LabState) => void | Promise<void>;
}

/** Why this lab will run on loopback, or undefined for namespaces. */
export function loopbackReason(forced: boolean): string | undefined {
  if (forced) return '--loopback was given';
  return netnsUnavailable();
}

const SIM_MAIN = fileURLToPath(new URL('./sim/main.js', import.meta.url));
const CHAIN_MAIN = fileURLToPath(new URL('./chain/main.js', import.meta.url));

/** The script installed as a client's binary on every lab host: runs the simulated client with the client's own arguments. */
export function simulatedBinary(dir: string, client: string, version: string, hostMode: HostMode = 'process'): string {
  // On a systemd host the client runs under its hardened unit, inside the host: the runtime and
  // the project are bound at IN_HOST, and V8 runs without its JIT, as MemoryDenyWriteExecute
  // demands of every client that is not a JVM or .NET (a Go or Rust binary needs no JIT either).
  const [node, main, lab] =
    hostMode === 'systemd'
      ? [
          `${IN_HOST.node} --jitless --no-expose-wasm`,
          `${IN_HOST.project}/${relative(PROJECT_ROOT, SIM_MAIN)}`,
          IN_HOST.view,
        ]
      : [shq(process.execPath), shq(SIM_MAIN), shq(dir)];
  return [
    '#!/bin/sh',
    `# stake lab: the SIMULATED ${client} ${version} of the lab in ${dir}, not the real client (docs/lab.md).`,
    `exec ${node} ${main} --lab ${lab} --client ${shq(client)} --version ${shq(version)} --self "$0" -- "$@"`,
    '',
  ].join('\n');
}

/**
 * The lab's clients are held to the real clients' reference tables (reference/clients/): a
 * pinned version without one cannot be simulated as strictly as the real client, so no lab.
 * An input error, checked by the command before anything is made.
 */
export function refuseUntabledClients(inv: LoadedInventory['resolved']): void {
  // a client with a table but no simulation yet: no lab rather than one that does not sign
  const unsimulated = inv.identities.filter((id) => id.signer?.client === 'horcrux');
  if (unsimulated.length)
    throw new UsageError(
      `the lab does not simulate horcrux yet (${unsimulated.map((id) => id.name).join(', ')}): of the cosmos signers it simulates tmkms`,
      'rehearse with a tmkms signer group (one host, no threshold), or on a testnet; stake render and stake plan show what would be deployed',
    );
  const missing = clientsOf(inv).filter((c) => !clientReference(c, inv.clients[c]?.version ?? ''));
  if (missing.length)
    throw new UsageError(
      `the lab has no reference table for ${missing.map((c) => `${c} ${inv.clients[c]?.version ?? '(no version)'}`).join(', ')}: its simulated clients could not refuse what the real ones refuse`,
      `pin a version that has one (${referenceVersions().join(', ')}), or derive a table for it (reference/clients/recipes/)`,
    );
}

export const namespaceOf = (slot: number, host: string) => `stake-lab${slot}-${host}`;

/**
 * Brings a lab up; returns its state. The caller has made sure no lab runs in `dir`. On failure
 * (or an abort) everything it made is taken down, by the state's records, before it throws.
 */
export async function labUp(loaded: LoadedInventory, options: UpOptions): Promise<LabState> {
  const dir = resolve(options.dir);
  const progress: Progress = { recorded: false };
  if (options.hosts === 'systemd') {
    if (options.mode !== 'netns')
      throw new UsageError(
        'systemd hosts need network namespaces: each boots in its own',
        'run as root where `ip netns` works, or use --hosts process',
      );
    // before anything of the lab is made: a build takes a minute, once
    progress.rootfs = (await ensureRootfs({ say: options.say })).path;
  }
  try {
    return await bringUp(loaded, dir, options, progress);
  } catch (err) {
    try {
      // once lab.json exists it records everything made, the claim too: down takes all of it away
      if (progress.recorded) await labDown(dir, { keep: false });
      else if (progress.claim) await releaseSlot(progress.claim, dir);
    } catch (undo) {
      const both = `${(err as Error).message}; taking down what it made failed too: ${(undo as Error).message}`;
      throw new Error(both, { cause: err });
    }
    throw err;
  }
}

/** Process hosts: an sshd each, on this machine, with its own host key. Returns the known_hosts lines. */
async function startProcessHosts(dir: string, state: LabState): Promise<string[]> {
  const paths = labPaths(dir);
  const { mode, addressing, hosts } = state;
  const deadline = Date.now() + 20_000;
  await Promise.all(
    hosts.map(async (h) => {
      mkdirSync(h.root, { recursive: true });
      const hostKey = join(paths.host(h.name), 'ssh_host_ed25519_key');
      if (!existsSync(hostKey)) keygen(hostKey, `${h.name}@stake-lab`);
      await startHostSshd(dir, { mode, addressing }, h, {
        deadline,
        pickPort: true,
        recorded: () => writeLabState(paths.state, state),
      });
    }),
  );
  return hosts.map((h) =>
    knownHostsLine(
      addressing.hosts[h.name]!.address,
      h.sshPort,
      readFileSync(join(paths.host(h.name), 'ssh_host_ed25519_key.pub'), 'utf8'),
    ),
  );
}

/** systemd hosts: each key the lab placed given to the user of the client that reads it (key-owners.ts). */
async function handKeysToClients(inventory: string, state: LabState, placed: PlacedKey[]): Promise<void> {
  const loaded = await loadInventory(inventory);
  // only the services' users are read: node ids a first deploy learns do not matter here
  const { renders } = renderDeployment(loaded.resolved, { inventory, pendingNodeIds: true });
  for (const h of state.hosts) {
    const mine = placed.filter((k) => k.host === h.name && !k.sealed);
    if (!mine.length) continue;
    const user = renders.find((r) => r.host === h.name)?.manifest.services[0]?.user;
    if (!user) throw new Error(`the lab placed keys on ${h.name}, which runs no client to read them`);
    const r = inMachine(h.machine!, keyOwnersScript(mine, user));
    if (r.status !== 0) throw new Error(`handing the keys on ${h.name} to ${user}: ${(r.stderr || r.stdout).trim()}`);
  }
}

/** How far an up got: its slot claim, and whether lab.json records what it makes. */
interface Progress {
  claim?: string;
  recorded: boolean;
  /** systemd hosts: the tree they boot from. */
  rootfs?: string;
}

async function bringUp(
  loaded: LoadedInventory,
  dir: string,
  options: UpOptions,
  progress: Progress,
): Promise<LabState> {
  const paths = labPaths(dir);
  const inv = loaded.resolved;
  const { mode } = options;
  const hostMode = options.hosts ?? 'process';
  mkdirSync(dir, { recursive: true });
  for (const d of [paths.operators, paths.bin, paths.keys, paths.hosts, paths.chain])
    mkdirSync(d, { recursive: true, mode: 0o700 });

  const namespaces = mode === 'netns' ? namespaceNames() : new Set<string>();
  const { slot, claim } = await claimSlot(dir, { taken: (s) => namespaces.has(`stake-lab${s}.switch`) });
  progress.claim = claim;
  const addressing = planAddresses(inv, mode, slot);
  const hosts: LabHostRecord[] = inv.hosts.map((h) => ({
    name: h.name,
    tier: h.tier,
    root: paths.root(h.name),
    addresses: addressesOf(addressing.hosts[h.name]!),
    // on loopback each sshd gets a free port when it starts (startHostSshd)
    sshPort: mode === 'netns' ? h.ssh.port : 0,
    ...(mode === 'netns' ? { netns: namespaceOf(slot, h.name) } : {}),
  }));
  const view = hostMode === 'systemd' ? viewDirOf(slot) : undefined;
  const state: LabState = {
    version: 1,
    name: inv.name,
    family: inv.family,
    chainId: inv.chain.network,
    origin: resolve(loaded.file),
    mode,
    hostMode,
    slot,
    createdAt: new Date().toISOString(),
    blockTimeMs: options.blockTimeMs,
    // a whole second, as a real network's system start
    ...(inv.family === 'cardano' ? { slotZero: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString() } : {}),
    addressing,
    hosts,
    identities: [],
    chain: { socket: view ? join(view, 'chain.sock') : chainSocketPath(dir, slot) },
    ...(view ? { view } : {}),
    slotClaim: claim,
  };
  writeLabState(paths.state, state);
  progress.recorded = true;
  const stage = async (name: UpStage) => {
    options.signal?.throwIfAborted();
    await options.reached?.(name, state);
  };
  await stage('claimed');

  // SSH: one client key logs in everywhere; each host has its own host key.
  if (!existsSync(paths.clientKey)) keygen(paths.clientKey, 'stake-lab-client');
  writeFileSync(paths.authorizedKeys, readFileSync(`${paths.clientKey}.pub`));
  writeSshdConfig(paths.sshdConfig, paths.authorizedKeys);
  const operatorKeys: Record<string, string> = {};
  for (const name of Object.keys(inv.operators).slice(0, 2)) {
    const key = join(paths.operators, name);
    if (!existsSync(key)) keygen(key, `${name}@stake-lab`);
    operatorKeys[name] = readFileSync(`${key}.pub`, 'utf8').trim();
  }

  if (mode === 'netns') {
    const network = {
      switchNs: `stake-lab${slot}.switch`,
      operatorLink: `stake-lab${slot}`,
      internetNs: `stake-lab${slot}.internet`,
      namespaces: [`stake-lab${slot}.switch`, ...hosts.map((h) => h.netns!), `stake-lab${slot}.internet`],
    };
    state.network = network;
    writeLabState(paths.state, state); // recorded before made: down removes what exists of it
    options.say(
      `network: ${hosts.length} namespaces on a bridge, ${addressing.privateNet} private, ${addressing.publicNet} public, operator ${addressing.operator}`,
    );
    createLabNetwork({
      switchNs: network.switchNs,
      operatorLink: network.operatorLink,
      operatorAddress: addressing.operator,
      nets: [addressing.privateNet, addressing.publicNet],
      members: [
        ...hosts.map((h) => ({ ns: h.netns!, addresses: h.addresses })),
        { ns: network.internetNs, addresses: [addressing.internet!] },
      ],
    });
    await stage('network');
  }

  const known =
    hostMode === 'systemd'
      ? await bootSystemdHosts(dir, state, progress.rootfs!, options.say)
      : await startProcessHosts(dir, state);
  writeFileSync(paths.knownHosts, `${known.join('\n')}\n`);
  options.say(
    hostMode === 'systemd'
      ? `hosts: ${hosts.length} Debian ${ROOTFS_SUITE} machines booted under systemd, sshd answering`
      : `ssh: ${hosts.length} sshd hosts answering`,
  );
  await stage('sshd');

  // The simulated clients, installed by deploy like any pinned binary.
  const clients: Record<string, { source: string; sha256: string }> = {};
  for (const client of clientsOf(inv)) {
    const text = simulatedBinary(dir, client, inv.clients[client]?.version ?? '', hostMode);
    writeFileSync(join(paths.bin, client), text, { mode: 0o755 });
    clients[client] = {
      source: relative(dir, join(paths.bin, client)),
      sha256: createHash('sha256').update(text).digest('hex'),
    };
  }

  const placed: PlacedKey[] = [];
  state.identities = placeLabKeys(
    inv,
    (name) => paths.root(name),
    paths.keys,
    (k) => placed.push(k),
    (name) => addressesOf(addressing.hosts[name]!),
  );
  writeLabState(paths.state, state);

  writeFileSync(
    paths.inventory,
    labInventoryText({
      text: loaded.text,
      origin: state.origin,
      inv,
      addressing,
      hosts: Object.fromEntries(hosts.map((h) => [h.name, { root: h.root, sshPort: h.sshPort }])),
      user: userInfo().username,
      knownHosts: relative(dir, paths.knownHosts),
      identity: relative(dir, paths.clientKey),
      operatorKeys,
      clients,
      schema: projectPath('schema', 'inventory.schema.json'),
      hostMode,
      consensusAddresses: Object.fromEntries(
        state.identities.flatMap((i) => (i.keyAddress ? [[i.name, i.keyAddress]] : [])),
      ),
      validatorIndices: Object.fromEntries(
        state.identities.flatMap((i) => (i.validatorIndex !== undefined ? [[i.name, i.validatorIndex]] : [])),
      ),
      poolIds: Object.fromEntries(
        state.identities.flatMap((i) => (i.coldVerificationKey ? [[i.name, poolIdOf(i.coldVerificationKey)]] : [])),
      ),
    }),
  );
  if (hostMode === 'systemd') {
    await handKeysToClients(paths.inventory, state, placed);
    // what the simulated clients inside the hosts read: this state, with the socket where they see it
    writeLabState(join(view!, 'lab.json'), { ...state, chain: { socket: join(IN_HOST.view, 'chain.sock') } });
  }
  await stage('keys');

  // The chain last: it reads the identities from lab.json.
  const out = openSync(paths.chainLog, 'a');
  const chain = spawn(process.execPath, [CHAIN_MAIN, dir], { detached: true, stdio: ['ignore', out, out] });
  chain.unref();
  closeSync(out);
  state.chain.process = recordProcess(chain.pid!, 'chain');
  writeLabState(paths.state, state);
  await waitFor(() => existsSync(state.chain.socket), {
    timeoutMs: 10_000,
    what: `the lab chain to listen on ${state.chain.socket}; see ${paths.chainLog}`,
  });
  options.say(`chain: one ${inv.family === 'cosmos' ? 'height' : 'slot'} every ${options.blockTimeMs} ms`);
  await stage('chain');
  return state;
}
