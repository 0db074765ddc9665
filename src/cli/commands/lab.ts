/** `stake lab`: up, status, down, verify-firewall, cut, heal. */
import { DEFAULT_BLOCK_TIME_MS, DEFAULT_LAB_DIR, DEFAULT_PROBE_TIMEOUT_MS } from '../../defaults.js';
import { choice, count, flag, many, valueOr } from '../options.js';
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
    summary: 'a local lab of real hosts and a simulated chain',
    description:
      'A local lab built from any inventory: a Debian machine booted under systemd per host where it can run (else a real sshd per host), each in its own network namespace when run as root, throwaway keys, simulated clients and a simulated chain that judges every signature. See docs/lab.md.',
  }),

  defineCommand({
    name: 'up',
    parent: 'lab',
    summary: 'start a lab of the inventory: hosts (Debian under systemd, or sshd), keys, chain, lab inventory',
    description:
      'Start a lab of the inventory and write DIR/inventory.yaml, the same inventory with lab addresses and simulated client binaries. As root with ip netns, each host gets its own network namespace and its firewall is enforced; otherwise hosts are loopback addresses and firewalls are only rendered. With systemd hosts (the default where systemd-nspawn runs) each host is a Debian machine booted under systemd and the lab inventory says what production says: root /, init systemd, a deploy user with become: sudo; the Debian tree is built once with debootstrap and cached (stake lab rootfs). With process hosts each is an sshd with a root folder and init: direct.\n\nExample: stake lab up -i inventories/cosmos.yaml && stake deploy -i .stake-lab/inventory.yaml',
    options: {
      dir,
      loopback: flag('--loopback', 'loopback hosts even where namespaces work (firewalls not enforced)'),
      hosts: choice(
        '--hosts <kind>',
        'systemd: Debian machines booted under systemd, as production; process: an sshd and a root folder each; auto: systemd where it can run',
        ['auto', 'systemd', 'process'],
        'auto',
      ),
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
        {
          inventory: opts.inventory,
          dir: opts.dir,
          loopback: opts.loopback,
          hosts: opts.hosts,
          blockTimeMs: opts.blockTime,
        },
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

  defineCommand({
    name: 'ssh',
    parent: 'lab',
    arguments: [
      { name: '<host>', help: 'the lab host' },
      { name: '[command...]', help: 'a command to run there (after --); a shell when none' },
    ],
    summary: 'a shell or a command on a lab host, with the lab key and known_hosts',
    description:
      "Open a shell on a lab host, or run a command there, as the lab inventory reaches it (the deploy user on systemd hosts). The command's exit status is passed through, so it can be used in scripts.\n\nExample: stake lab ssh val-fra -- systemctl is-active stake-cometbft",
    options: { dir },
    load,
    run: ({ labSshCommand }, opts, [host = '', ...command]) => labSshCommand({ dir: opts.dir, host, command }),
  }),

  defineCommand({
    name: 'reboot',
    parent: 'lab',
    arguments: [{ name: '<host>', help: 'the lab host (a systemd host)' }],
    summary: 'reboot one systemd lab host cleanly; its disk is kept',
    description:
      'Shut a systemd lab host down cleanly (systemd inside stops every service) and boot it again from the same disk. Returns once its sshd answers: what comes back up is what its units say, as on a real host.\n\nExample: stake lab reboot val-fra',
    options: { dir },
    load,
    run: ({ labRebootCommand }, opts, [host = ''], t) => labRebootCommand({ dir: opts.dir, host }, t),
  }),

  defineCommand({
    name: 'power-off',
    parent: 'lab',
    arguments: [{ name: '<host>', help: 'the lab host (a systemd host)' }],
    summary: 'a systemd lab host loses power: every process killed at once, its disk kept',
    description:
      'Kill every process of a systemd lab host at once, as a power loss: nothing is shut down, nothing is flushed that the host did not sync itself. Its disk is kept; stake lab power-on boots it again.\n\nExample: stake lab power-off val-fra',
    options: { dir },
    load,
    run: ({ labPowerCommand }, opts, [host = ''], t) =>
      labPowerCommand({ dir: opts.dir, host, on: false, mask: [] }, t),
  }),

  defineCommand({
    name: 'power-on',
    parent: 'lab',
    arguments: [{ name: '<host>', help: 'the lab host (a systemd host)' }],
    summary: 'boot a powered-off systemd lab host from its disk',
    description:
      "Boot a systemd lab host that lost power, from its disk. --mask masks units for this boot only, as systemd.mask= typed at a real host's boot prompt: how a host that was failed over while dead comes back without starting its signer, to be fenced by hand.\n\nExample: stake lab power-on val-fra --mask stake-cometbft.service",
    options: { dir, mask: many('--mask <unit>', 'a unit to mask for this boot (repeatable)') },
    load,
    run: ({ labPowerCommand }, opts, [host = ''], t) =>
      labPowerCommand({ dir: opts.dir, host, on: true, mask: opts.mask }, t),
  }),

  defineCommand({
    name: 'rootfs',
    parent: 'lab',
    summary: 'build (once) the Debian tree systemd lab hosts boot from',
    description:
      'Build the Debian bookworm tree that systemd lab hosts boot from, with debootstrap, unless one is cached (in STAKE_CACHE_DIR, else ~/.cache/stake). lab up builds it when missing; this builds it ahead (CI does).\n\nExample: stake lab rootfs',
    options: { rebuild: flag('--rebuild', 'build it again even when one is cached') },
    load,
    run: ({ labRootfsCommand }, opts, _args, t) => labRootfsCommand({ rebuild: opts.rebuild }, t),
  }),
];
