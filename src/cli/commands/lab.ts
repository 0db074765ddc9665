/** `stake lab`: up, status, down, verify-firewall, cut, heal. */
import { DEFAULT_BLOCK_TIME_MS, DEFAULT_LAB_DIR, DEFAULT_PROBE_TIMEOUT_MS } from '../../defaults.js';
import { count, flag, valueOr } from '../options.js';
import { defineCommand, defineGroup, type Entry } from '../spec.js';

const load = () => import('../../commands/lab.js');
/** Every lab command's first option. */
const dir = valueOr('--dir <dir>', 'the lab folder', DEFAULT_LAB_DIR);

const cut = (heal: boolean) =>
  defineCommand({
    name: heal ? 'heal' : 'cut',
    parent: 'lab',
    arguments: [{ name: '<host>', help: 'the lab host' }],
    summary: heal
      ? "bring a cut lab host's SSH back"
      : "cut a lab host's SSH (its sshd and open connections); its services keep running",
    description: heal
      ? "Start the lab host's sshd again, with its own host key, after stake lab cut.\n\nExample: stake lab heal val-fra"
      : "Stop a lab host's sshd and every SSH connection through it, as a host whose network to the operator failed: its services keep running. For drills and fault tests; stake lab heal brings it back.\n\nExample: stake lab cut val-fra",
    options: { dir },
    load,
    run: ({ labCutCommand }, opts, [host = ''], t) => labCutCommand({ dir: opts.dir, host, heal }, t),
  });

export const LAB_COMMANDS: Entry[] = [
  defineGroup({
    name: 'lab',
    summary: 'a local lab of real SSH hosts and a simulated chain',
    description:
      'A local lab built from any inventory: a real sshd per host (in its own network namespace when run as root), throwaway keys, simulated clients and a simulated chain that judges every signature. See docs/lab.md.',
  }),

  defineCommand({
    name: 'up',
    parent: 'lab',
    summary: 'start a lab of the inventory: sshd hosts, keys, chain, lab inventory',
    description:
      'Start a lab of the inventory and write DIR/inventory.yaml, the same inventory with lab addresses, roots, init: direct and simulated client binaries. As root with ip netns, each host gets its own network namespace and its firewall is enforced; otherwise hosts are loopback addresses and firewalls are only rendered.\n\nExample: stake lab up -i inventories/cosmos.yaml && stake deploy -i .stake-lab/inventory.yaml',
    options: {
      dir,
      loopback: flag('--loopback', 'loopback hosts even where namespaces work (firewalls not enforced)'),
      blockTime: count(
        '--block-time <ms>',
        'milliseconds between heights (slots)',
        'milliseconds',
        DEFAULT_BLOCK_TIME_MS,
      ),
    },
    load,
    run: ({ labUpCommand }, opts, _args, t) =>
      labUpCommand(
        { inventory: opts.inventory, dir: opts.dir, loopback: opts.loopback, blockTimeMs: opts.blockTime },
        t,
      ),
  }),

  defineCommand({
    name: 'status',
    parent: 'lab',
    summary: "the lab's hosts, services, and the chain's verdicts: signatures, missed heights, double signs",
    description:
      'Show every lab host (sshd, services deploy started, peers, key), the chain height, and per identity: heights signed, by which host last, missed heights and double signs. Exit 1 when something the lab started is gone or any double sign was seen.\n\nExample: stake lab status --json',
    options: { dir },
    load,
    run: ({ labStatusCommand }, opts, _args, t) => labStatusCommand({ dir: opts.dir }, t),
  }),

  defineCommand({
    name: 'down',
    parent: 'lab',
    summary: 'stop exactly what the lab started and remove it',
    description:
      'Stop the processes the lab and deploy started (by recorded pid), delete its namespaces by name and remove the lab folder. Safe after a crash and when run twice.\n\nExample: stake lab down',
    options: { dir, keep: flag('--keep', 'keep the lab folder (logs, chain record, keys)') },
    load,
    run: ({ labDownCommand }, opts, _args, t) => labDownCommand({ dir: opts.dir, keep: opts.keep }, t),
  }),

  defineCommand({
    name: 'verify-firewall',
    parent: 'lab',
    summary:
      'probe every host and port from every host, the internet and the operator; compare with the topology graph',
    description:
      'Probe every (host, TCP port) of a namespace lab from every other host, from the internet namespace and from the operator, and compare what connects with the flows of the topology graph. Prints the matrix; exit 1 on any mismatch. Run it after stake deploy has loaded the firewalls.\n\nExample: stake lab verify-firewall --json',
    options: {
      dir,
      timeout: count(
        '--timeout <ms>',
        'how long a probe waits before calling a port blocked',
        'milliseconds',
        DEFAULT_PROBE_TIMEOUT_MS,
      ),
    },
    load,
    run: ({ labVerifyFirewallCommand }, opts, _args, t) =>
      labVerifyFirewallCommand({ dir: opts.dir, timeoutMs: opts.timeout }, t),
  }),

  cut(false),
  cut(true),
];
