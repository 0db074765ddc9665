/**
 * Network namespaces: a host whose firewall may really be loaded (its own network stack, not this
 * machine's). Two shapes: the lab's switched network (every host on one bridge that lives in a
 * namespace of its own, so this machine's firewall never sees lab traffic), and the tests'
 * point-to-point veth links (a host reachable only through a bastion). Cleanup deletes exactly
 * the namespaces made, by name.
 */
import { spawnSync } from 'node:child_process';

export interface Link {
  /** One end: a namespace made here, or 'root' for this machine's own stack. */
  a: string;
  aAddress: string;
  b: string;
  bAddress: string;
}

export interface Network {
  /** The real name of a namespace by its short name. */
  ns(name: string): string;
  /** Runs a command inside a namespace; returns stdout, throws on failure. */
  exec(name: string, argv: string[]): string;
  remove(): void;
}

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'no ip netns (apt-get install iproute2; .ci/run does)';
  return undefined;
}

function ip(args: string[], input?: string): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs many `ip` commands in one namespace with one process (`ip -n NS -batch -`). */
const ipBatch = (ns: string | undefined, lines: string[]) =>
  ip([...(ns ? ['-n', ns] : []), '-batch', '-'], `${lines.join('\n')}\n`);

/** The names of every namespace on this machine (one `ip netns list`). */
export const namespaceNames = () =>
  new Set(
    ip(['netns', 'list'])
      .split('\n')
      .map((line) => line.split(' ')[0]!)
      .filter(Boolean),
  );
export const namespaceExists = (name: string) => namespaceNames().has(name);

export interface LabNetworkSpec {
  /** The namespace holding the bridge. */
  switchNs: string;
  /** This machine's end of the operator link (an interface name, at most 15 characters). */
  operatorLink: string;
  operatorAddress: string;
  /** The lab's /24 networks (CIDR). */
  nets: string[];
  /** One namespace per host (and one for the internet): its addresses, in the lab /24s. */
  members: { ns: string; addresses: string[] }[];
}

/**
 * Builds a lab's network: a bridge in its own namespace, each member namespace plugged into it
 * with its addresses, and this machine plugged in at the operator address. Every member reaches
 * every lab address on the wire, so only the hosts' own firewalls decide what connects.
 * On failure, removes what it made and throws.
 */
export function createLabNetwork(spec: LabNetworkSpec): void {
  const made: string[] = [];
  try {
    ip(['netns', 'add', spec.switchNs]);
    made.push(spec.switchNs);
    ipBatch(spec.switchNs, ['link set lo up', 'link add br0 type bridge', 'link set br0 up']);
    for (const m of spec.members) {
      ip(['netns', 'add', m.ns]);
      made.push(m.ns);
    }
    ipBatch(
      spec.switchNs,
      spec.members.flatMap((m, i) => [
        `link add p${i} type veth peer name eth0 netns ${m.ns}`,
        `link set p${i} master br0`,
        `link set p${i} up`,
      ]),
    );
    for (const m of spec.members) {
      const first = m.addresses[0]!;
      const covered = (net: string) =>
        m.addresses.some((a) => a.split('.').slice(0, 3).join('.') === net.split('.').slice(0, 3).join('.'));
      ipBatch(m.ns, [
        'link set lo up',
        'link set eth0 up',
        ...m.addresses.map((a) => `addr add ${a}/24 dev eth0`),
        // the other lab network is on the same wire: reach it directly, from this host's own address
        ...spec.nets.filter((n) => !covered(n)).map((n) => `route add ${n} dev eth0 src ${first}`),
      ]);
    }
    ip(['link', 'add', spec.operatorLink, 'type', 'veth', 'peer', 'name', 'op', 'netns', spec.switchNs]);
    ipBatch(spec.switchNs, ['link set op master br0', 'link set op up']);
    ipBatch(undefined, [
      `addr add ${spec.operatorAddress}/24 dev ${spec.operatorLink}`,
      `link set ${spec.operatorLink} up`,
    ]);
    const operatorNet = spec.operatorAddress.split('.').slice(0, 3).join('.');
    for (const n of spec.nets.filter((x) => !x.startsWith(`${operatorNet}.`)))
      ip(['route', 'add', n, 'dev', spec.operatorLink, 'src', spec.operatorAddress]);
  } catch (err) {
    removeLabNetwork({ switchNs: spec.switchNs, operatorLink: spec.operatorLink, namespaces: made });
    throw err;
  }
}

/** Deletes a lab's namespaces and its link on this machine; what is already gone is fine. */
export function removeLabNetwork(parts: { switchNs: string; operatorLink: string; namespaces: string[] }): void {
  for (const n of [...parts.namespaces].reverse()) if (n !== parts.switchNs) spawnSync('ip', ['netns', 'del', n]);
  spawnSync('ip', ['netns', 'del', parts.switchNs]); // takes the bridge and every switch-side veth with it
  spawnSync('ip', ['link', 'del', parts.operatorLink], { stdio: 'ignore' });
}

let serial = 0;

/** Makes the namespaces and links; each namespace gets loopback up. Addresses are CIDRs (10.x.y.z/30). */
export function makeNetwork(names: string[], links: Link[]): Network {
  const tag = `${process.pid}-${serial++}`;
  const real = new Map(names.map((n) => [n, `stake-t${tag}-${n}`]));
  const ns = (name: string) => {
    const r = real.get(name);
    if (!r) throw new Error(`no namespace ${name}`);
    return r;
  };
  const made: string[] = [];
  const remove = () => {
    for (const n of made.reverse()) spawnSync('ip', ['netns', 'del', n]);
  };
  try {
    for (const n of names) {
      ip(['netns', 'add', ns(n)]);
      made.push(ns(n));
      ip(['-n', ns(n), 'link', 'set', 'lo', 'up']);
    }
    links.forEach((link, i) => {
      const va = `st${process.pid % 100000}x${serial}a${i}`.slice(0, 15);
      const vb = `st${process.pid % 100000}x${serial}b${i}`.slice(0, 15);
      ip(['link', 'add', va, 'type', 'veth', 'peer', 'name', vb]);
      for (const [end, dev, address] of [
        [link.a, va, link.aAddress],
        [link.b, vb, link.bAddress],
      ] as const) {
        if (end !== 'root') ip(['link', 'set', dev, 'netns', ns(end)]);
        const at = end === 'root' ? [] : ['-n', ns(end)];
        ip([...at, 'addr', 'add', address, 'dev', dev]);
        ip([...at, 'link', 'set', dev, 'up']);
      }
    });
  } catch (err) {
    remove();
    throw err;
  }
  return {
    ns,
    exec: (name, argv) => {
      const r = spawnSync('ip', ['netns', 'exec', ns(name), ...argv], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${argv.join(' ')} in ${name}: ${r.stderr.trim()}`);
      return r.stdout;
    },
    remove,
  };
}
