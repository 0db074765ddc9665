/**
 * The tests' point-to-point network namespaces (a host whose firewall is really loaded, a host
 * reachable only through a bastion): namespaces named `stake-t<pid>-<n>-<name>` and veth links
 * `st<pid>x<n>a<i>`/`b<i>`, so every name says which test process made it. What is made is
 * removed by those exact names: by remove() (the test's `after`), when making fails half-way,
 * and at exit as a last resort (./last-resort.ts) when the test process ends without its hooks.
 */
import { spawnSync } from 'node:child_process';
import { ip } from '../../src/lab/netns.js';
import { atExit } from './last-resort.js';

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

let serial = 0;

/**
 * Makes the namespaces and links; each namespace gets loopback up. Addresses are CIDRs
 * (10.x.y.z/30). `failAfter` is a test seam: making fails after that many `ip` commands.
 */
export function makeNetwork(names: string[], links: Link[], options: { failAfter?: number } = {}): Network {
  const n = serial++;
  const real = new Map(names.map((name) => [name, `stake-t${process.pid}-${n}-${name}`]));
  const ns = (name: string) => {
    const r = real.get(name);
    if (!r) throw new Error(`no namespace ${name}`);
    return r;
  };
  const namespaces: string[] = [];
  const vethEnds: string[] = [];
  const remove = () => {
    // A veth pair goes with either end. An end in this machine's stack is deleted here, which takes
    // its peer at once; a namespace's deletion below frees the ends inside it only later (the
    // kernel does it in the background), which would leave a peer outside visible meanwhile.
    for (const link of vethEnds.splice(0)) spawnSync('ip', ['link', 'del', link], { stdio: 'ignore' });
    for (const name of namespaces.splice(0).reverse()) spawnSync('ip', ['netns', 'del', name]);
    lastResort.done();
  };
  const lastResort = atExit(remove); // registered before anything exists, so nothing is ever uncovered
  let commands = 0;
  const run = (args: string[]) => {
    if (options.failAfter !== undefined && commands++ >= options.failAfter)
      throw new Error(`makeNetwork: failing on purpose before ip ${args.join(' ')} (failAfter ${options.failAfter})`);
    return ip(args);
  };
  try {
    for (const name of names) {
      namespaces.push(ns(name)); // recorded first: a failed add leaves nothing, a delete of nothing is fine
      run(['netns', 'add', ns(name)]);
      run(['-n', ns(name), 'link', 'set', 'lo', 'up']);
    }
    links.forEach((link, i) => {
      const va = `st${process.pid % 100000}x${n}a${i}`.slice(0, 15);
      const vb = `st${process.pid % 100000}x${n}b${i}`.slice(0, 15);
      vethEnds.push(va, vb); // whichever is still in this machine's stack when removed
      run(['link', 'add', va, 'type', 'veth', 'peer', 'name', vb]);
      for (const [end, dev, address] of [
        [link.a, va, link.aAddress],
        [link.b, vb, link.bAddress],
      ] as const) {
        if (end !== 'root') run(['link', 'set', dev, 'netns', ns(end)]);
        const at = end === 'root' ? [] : ['-n', ns(end)];
        run([...at, 'addr', 'add', address, 'dev', dev]);
        run([...at, 'link', 'set', dev, 'up']);
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

/** This process's test namespaces and veth links that exist now: what must be gone after remove(). */
export function leftBehind(): string[] {
  const mine = new RegExp(`^(stake-t${process.pid}-|st${process.pid % 100000}x)`);
  const namespaces = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n');
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '');
  return [...namespaces.map((l) => l.split(' ')[0]!), ...links].filter((name) => mine.test(name));
}
