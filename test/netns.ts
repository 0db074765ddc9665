/**
 * Network namespaces the tests create and delete themselves, joined by veth pairs: a host whose
 * firewall may really be loaded (its own network stack, not this machine's), or a host reachable
 * only through another (a bastion). Names carry this process's pid; cleanup deletes exactly the
 * namespaces made here.
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

function ip(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
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
      for (const [end, dev, address] of [[link.a, va, link.aAddress], [link.b, vb, link.bAddress]] as const) {
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
