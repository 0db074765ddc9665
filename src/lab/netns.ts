/**
 * Network namespaces: a host whose firewall may really be loaded (its own network stack, not this
 * machine's). The lab's switched network: every host on one bridge that lives in a namespace of
 * its own, so this machine's firewall never sees lab traffic. (The tests' point-to-point veth
 * links are test/support/test-network.ts.) Cleanup deletes exactly the namespaces made, by name.
 */
import { spawnSync } from 'node:child_process';

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return 'no ip netns (apt-get install iproute2; .ci/run does)';
  return undefined;
}

/** Runs `ip`; returns stdout, throws with its stderr on failure. */
export function ip(args: string[], input?: string): string {
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
