/** `stake lab up|status|down|ssh|reboot|power-off|power-on|rootfs|cut|heal|verify-firewall`: a local lab of real hosts and a simulated chain (docs/lab.md). */
import { relative, resolve } from 'node:path';
import { StakeError } from '../errors.js';
import { EXIT, passedThrough, type ExitCode } from '../exit-codes.js';
import { loadInventory } from '../inventory/load.js';
import { plural } from '../output/diagnostics.js';
import { formatTable } from '../output/table.js';
import type { Terminal } from '../output/terminal.js';
import { labDown } from '../lab/down.js';
import { DEFAULT_LAB_DIR } from '../lab/layout.js';
import { sshdUnavailable } from '../lab/sshd.js';
import { labStatus, type LabStatus } from '../lab/status.js';
import { labUp, loopbackReason, refuseUntabledClients } from '../lab/up.js';
import { systemdHostsUnavailable } from '../lab/rootfs.js';
import { hostModeOf, type HostMode } from '../lab/state.js';

export interface LabUpOptions {
  inventory: string;
  dir: string;
  loopback: boolean;
  /** auto: systemd where it can run, process elsewhere. */
  hosts: 'auto' | HostMode;
  blockTimeMs: number;
}

/** Which hosts this lab gets, and why: said in one plain line by lab up. */
export function chooseHostMode(
  asked: LabUpOptions['hosts'],
  loopback: string | undefined,
): { mode: HostMode; why: string } {
  const unavailable = loopback ? `systemd hosts need network namespaces (${loopback})` : systemdHostsUnavailable();
  if (asked === 'process') return { mode: 'process', why: '--hosts process was given' };
  if (asked === 'systemd') {
    if (unavailable)
      throw new StakeError(`--hosts systemd cannot run here: ${unavailable}`, {
        exitCode: EXIT.usage,
        hint: 'install what it names, or use --hosts process',
      });
    return { mode: 'systemd', why: '--hosts systemd was given' };
  }
  return unavailable
    ? { mode: 'process', why: `systemd hosts cannot run here: ${unavailable}` }
    : { mode: 'systemd', why: 'the default where they can run' };
}

const shown = (dir: string) => {
  const rel = relative(process.cwd(), dir);
  return rel.startsWith('..') ? dir : rel || '.';
};
const heightWord = (family: string) => (family === 'cosmos' ? 'height' : 'slot');

export async function labUpCommand(options: LabUpOptions, term: Terminal): Promise<ExitCode> {
  const missing = sshdUnavailable();
  if (missing)
    throw new StakeError(`the lab needs OpenSSH's sshd: ${missing}`, {
      exitCode: EXIT.failed,
      hint: 'apt-get install openssh-server openssh-client',
    });
  const loaded = await loadInventory(options.inventory);
  refuseUntabledClients(loaded.resolved);
  const dir = resolve(options.dir);

  const existing = await labStatus(dir);
  if (existing) {
    if (existing.healthy && existing.origin === resolve(options.inventory)) {
      term.note(term.style.dim(`the lab of ${existing.name} is already up in ${shown(dir)}: nothing to do`));
      return printStatus(existing, term);
    }
    if (existing.healthy) {
      throw new StakeError(`a lab of ${existing.origin} is already running in ${shown(dir)}`, {
        exitCode: EXIT.refused,
        hint: `stake lab down --dir ${shown(dir)} first, or give this lab another --dir`,
      });
    }
    term.note(
      term.style.yellow(`the lab in ${shown(dir)} is broken (${existing.problems.join('; ')}): taking it down first`),
    );
    await labDown(dir, { keep: false });
  }

  const why = loopbackReason(options.loopback);
  const hostMode = chooseHostMode(options.hosts, why);
  const say = (line: string) => term.note(term.style.dim(`  ${line}`));
  term.note(
    `bringing up a lab of ${loaded.resolved.name} (${plural(loaded.resolved.hosts.length, 'host')}) in ${shown(dir)}`,
  );
  say(
    `hosts: ${hostMode.mode === 'systemd' ? 'systemd (Debian machines booted under systemd-nspawn)' : 'process (an sshd and a root folder each, services started directly)'}: ${hostMode.why}`,
  );
  // Ctrl-C or SIGTERM half-way: the up stops at its next stage and takes down what it made
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(new Error(`interrupted by ${signal}`));
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let state;
  try {
    const mode = why ? 'loopback' : 'netns';
    state = await labUp(loaded, {
      dir,
      mode,
      hosts: hostMode.mode,
      blockTimeMs: options.blockTimeMs,
      say,
      signal: interrupt.signal,
    });
  } catch (err) {
    throw new StakeError(`the lab did not come up: ${(err as Error).message}`, {
      exitCode: EXIT.failed,
      hint: 'everything it had started was stopped again; STAKE_DEBUG=1 shows where it failed',
      cause: err,
    });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  const inventory = shown(resolve(dir, 'inventory.yaml'));
  if (term.options.json) {
    term.document({
      dir,
      inventory,
      mode: state.mode,
      hosts_mode: hostModeOf(state),
      firewalls: state.mode === 'netns' ? 'enforced' : 'not enforced',
      hosts: state.hosts.map((h) => ({
        name: h.name,
        addresses: h.addresses,
        ssh_port: h.sshPort,
        netns: h.netns ?? null,
      })),
    });
    return EXIT.ok;
  }
  term.print(
    term.style.green(
      `✓ lab ${state.name} is up: ${plural(state.hosts.length, hostModeOf(state) === 'systemd' ? 'systemd host' : 'host')} ${state.mode === 'netns' ? 'in network namespaces, firewalls enforced' : 'on loopback'}`,
    ),
  );
  if (why)
    term.print(
      term.style.yellow(
        `! firewalls are NOT enforced: ${why}. Every host shares this machine's network stack, so their rules are rendered and shipped but never loaded (firewall: render).`,
      ),
    );
  term.print(`  inventory  ${inventory}`);
  term.print(
    `  operators  ${shown(resolve(dir, 'operators'))}/ (keys of ${Object.keys(loaded.resolved.operators).slice(0, 2).join(' and ') || 'nobody'})`,
  );
  term.print(`  next       stake deploy -i ${inventory}`);
  term.print(`             stake lab status${options.dir === DEFAULT_LAB_DIR ? '' : ` --dir ${shown(dir)}`}`);
  return EXIT.ok;
}

export async function labStatusCommand(options: { dir: string }, term: Terminal): Promise<ExitCode> {
  const status = await labStatus(options.dir);
  if (!status)
    throw new StakeError(`no lab in ${shown(resolve(options.dir))}`, {
      exitCode: EXIT.failed,
      hint: 'stake lab up -i INVENTORY starts one (--dir to use another folder)',
    });
  return printStatus(status, term);
}

function printStatus(status: LabStatus, term: Terminal): ExitCode {
  const summary = status.chain.summary;
  const doubles = summary?.doubleSigns ?? 0;
  const code = status.healthy && doubles === 0 ? EXIT.ok : EXIT.failed;
  if (term.options.json) {
    term.document(status);
    return code;
  }
  const { style } = term;
  const word = heightWord(status.family);
  term.print(
    `${style.bold(`lab ${status.name}`)} in ${shown(status.dir)}: ${status.mode === 'netns' ? 'network namespaces, firewalls enforced' : 'loopback, firewalls NOT enforced'}; chain ${status.chain.running ? `at ${word} ${summary?.height ?? '?'} (one every ${status.chain.blockTimeMs} ms)` : style.red('stopped')}`,
  );
  const rows = status.hosts.map((h) => {
    const reports = h.clients;
    return [
      h.name,
      h.tier,
      h.addresses.join(' '),
      h.sshd ? 'up' : 'DOWN',
      h.services.join(',') || '-',
      reports.length ? reports.map((r) => `${r.peers}/${r.peersWanted}`).join(',') : '-',
      reports.some((r) => r.signing) ? 'yes' : '-',
    ];
  });
  const table = formatTable(['HOST', 'TIER', 'ADDRESSES', 'SSHD', 'SERVICES', 'PEERS', 'KEY'], rows);
  term.print(style.bold(table[0] ?? ''));
  for (const line of table.slice(1)) term.print(line.includes(' DOWN ') ? style.red(line) : line);
  for (const id of summary?.identities ?? []) {
    const signed =
      id.signatures === 0
        ? 'nothing signed yet'
        : `${id.signatures} signed (${word}s ${id.firstHeight}..${id.lastHeight}), last by ${id.lastSigner}, ${id.missed} missed`;
    const ds = id.doubleSigns.length
      ? style.red(
          `${plural(id.doubleSigns.length, 'DOUBLE SIGN')} (${id.doubleSigns
            .slice(0, 3)
            .map((d) => `${word} ${d.height}: ${d.hosts.join(' + ')}`)
            .join('; ')})`,
        )
      : style.green('0 double signs');
    term.print(`identity ${style.bold(id.identity)}: ${signed}; ${ds}`);
    const refused = id.rejected ?? [];
    if (refused.length)
      term.print(
        style.red(
          `  ${plural(refused.length, 'block')} refused by the chain (${refused
            .slice(-3)
            .map((r) => `${word} ${r.height} from ${r.host}: ${r.why}`)
            .join('; ')})`,
        ),
      );
  }
  for (const p of status.problems) term.print(style.red(`! ${p}`));
  return code;
}

export async function labDownCommand(options: { dir: string; keep: boolean }, term: Terminal): Promise<ExitCode> {
  const result = await labDown(options.dir, { keep: options.keep });
  if (term.options.json) {
    term.document(result);
    return EXIT.ok;
  }
  if (!result.found) {
    term.print(`no lab in ${shown(resolve(options.dir))}: nothing to take down`);
    return EXIT.ok;
  }
  term.print(
    term.style.green(
      `✓ lab down: stopped ${result.stopped.length} process${result.stopped.length === 1 ? '' : 'es'}${result.namespaces ? `, deleted ${plural(result.namespaces, 'namespace')}` : ''}${options.keep ? '' : `, removed ${shown(resolve(options.dir))}`}`,
    ),
  );
  return EXIT.ok;
}

export async function labVerifyFirewallCommand(
  options: { dir: string; timeoutMs: number },
  term: Terminal,
): Promise<ExitCode> {
  const { verifyFirewall } = await import('../lab/verify-firewall.js');
  const report = await verifyFirewall(options.dir, options.timeoutMs);
  const code = report.mismatches === 0 ? EXIT.ok : EXIT.failed;
  if (term.options.json) {
    term.document(report);
    return code;
  }
  const { style } = term;
  const hostsFirst = report.sources;
  const cell = (to: string, port: number, from: string) => {
    const r = report.results.find((x) => x.to === to && x.port === port && x.from === from);
    if (!r) return ' ';
    if (r.ok) return r.expected ? '+' : '.';
    return r.expected ? 'M' : 'X';
  };
  const rows = [...new Map(report.results.map((r) => [`${r.to}:${r.port}`, r])).values()];
  const table = formatTable(
    ['TO', ...hostsFirst.map((_, i) => String(i + 1))],
    rows.map((r) => [`${r.to}:${r.port}`, ...hostsFirst.map((s) => cell(r.to, r.port, s))]),
  );
  term.print(style.bold(table[0] ?? ''));
  for (const line of table.slice(1))
    term.print(/[XM]/.test(line.split(/\s+/).slice(1).join('')) ? style.red(line) : line);
  term.print(style.dim(`from: ${hostsFirst.map((s, i) => `${i + 1} ${s}`).join(', ')}`));
  term.print(
    style.dim(
      '+ connects (allowed)  . blocked (not allowed)  X connects but the graph does not allow it  M blocked but the graph allows it',
    ),
  );
  for (const r of report.results.filter((x) => !x.ok)) {
    term.print(
      style.red(
        `✗ ${r.from} -> ${r.to}:${r.port} (${r.address}): ${r.observed === 'blocked' ? 'blocked' : 'connects'}, but the graph ${r.expected ? `allows it (${r.because})` : 'allows no such flow'}`,
      ),
    );
  }
  const probes = report.results.length;
  if (report.mismatches === 0)
    term.print(
      style.green(`✓ ${probes} probes, 0 mismatches: every allowed flow connects and everything else is blocked`),
    );
  else term.print(style.red(`${report.mismatches} mismatch${report.mismatches === 1 ? '' : 'es'} in ${probes} probes`));
  if (report.udpFlows)
    term.print(
      style.dim(`${plural(report.udpFlows, 'UDP flow')} not probed: a UDP probe cannot tell dropped from unanswered`),
    );
  return code;
}

/** `stake lab cut|heal HOST`: take a lab host's SSH away (its services keep running) or bring it back. */
export async function labCutCommand(
  options: { dir: string; host: string; heal: boolean },
  term: Terminal,
): Promise<ExitCode> {
  const { cutHost, healHost } = await import('../lab/host-ssh.js');
  const dir = resolve(options.dir);
  let changed: boolean;
  try {
    changed = options.heal ? await healHost(dir, options.host) : await cutHost(dir, options.host);
  } catch (err) {
    throw new StakeError((err as Error).message, {
      exitCode: EXIT.usage,
      hint: "stake lab status lists the lab's hosts",
    });
  }
  const what = options.heal
    ? changed
      ? 'SSH is back'
      : 'SSH was already up'
    : changed
      ? 'SSH cut: its sshd and every open connection stopped; its services keep running'
      : 'SSH was already cut';
  if (term.options.json) term.document({ host: options.host, ssh: options.heal ? 'up' : 'cut', changed });
  else term.print(`${options.host}: ${what}`);
  return EXIT.ok;
}

/**
 * `stake lab ssh HOST [-- COMMAND...]`: a shell or a command on a lab host with the lab's key and
 * known_hosts, as the lab inventory reaches it. The command's exit status is passed through, as
 * ssh passes it (255 when ssh itself failed).
 */
export async function labSshCommand(options: { dir: string; host: string; command: string[] }): Promise<ExitCode> {
  const { sshArguments } = await import('../lab/lab-ssh.js');
  let args: string[];
  try {
    args = sshArguments(resolve(options.dir), options.host, options.command, process.stdin.isTTY === true);
  } catch (err) {
    throw new StakeError((err as Error).message, {
      exitCode: EXIT.usage,
      hint: "stake lab status lists the lab's hosts",
    });
  }
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('ssh', args, { stdio: 'inherit' });
  if (r.error)
    throw new StakeError(`ssh could not start: ${r.error.message}`, {
      exitCode: EXIT.failed,
      hint: 'apt-get install openssh-client',
    });
  return passedThrough(r.status ?? 255);
}

/** `stake lab reboot HOST`: a clean reboot of one systemd host, its disk kept. */
export async function labRebootCommand(options: { dir: string; host: string }, term: Terminal): Promise<ExitCode> {
  const { rebootHost } = await import('../lab/systemd-hosts.js');
  let took;
  try {
    took = await rebootHost(resolve(options.dir), options.host);
  } catch (err) {
    throw new StakeError((err as Error).message, { exitCode: EXIT.failed, hint: 'stake lab status shows the lab' });
  }
  if (term.options.json) term.document({ host: options.host, rebooted: true, down_ms: took.downMs, up_ms: took.upMs });
  else
    term.print(
      `${options.host}: rebooted (shut down in ${(took.downMs / 1000).toFixed(1)} s, up and answering SSH ${(took.upMs / 1000).toFixed(1)} s later)`,
    );
  return EXIT.ok;
}

/** `stake lab rootfs [--rebuild]`: the Debian tree systemd hosts boot from, built when missing. */
export async function labRootfsCommand(options: { rebuild: boolean }, term: Terminal): Promise<ExitCode> {
  const { ensureRootfs } = await import('../lab/rootfs.js');
  const say = (line: string) => term.note(term.style.dim(`  ${line}`));
  let r;
  try {
    r = await ensureRootfs({ say, rebuild: options.rebuild });
  } catch (err) {
    throw new StakeError(`the rootfs could not be built: ${(err as Error).message}`, {
      exitCode: EXIT.failed,
      hint: 'apt-get install debootstrap; STAKE_DEBIAN_MIRROR names a reachable Debian mirror',
    });
  }
  if (term.options.json) term.document({ path: r.path, built: r.built, build_ms: r.ms });
  else
    term.print(r.built ? `✓ rootfs built in ${(r.ms / 1000).toFixed(1)} s: ${r.path}` : `✓ rootfs cached: ${r.path}`);
  return EXIT.ok;
}

/** `stake lab power-off|power-on HOST`: a systemd host loses power (nothing shut down), or boots again. */
export async function labPowerCommand(
  options: { dir: string; host: string; on: boolean; mask: string[] },
  term: Terminal,
): Promise<ExitCode> {
  const { powerOffHost, powerOnHost } = await import('../lab/systemd-hosts.js');
  let changed: boolean;
  try {
    changed = options.on
      ? await powerOnHost(resolve(options.dir), options.host, options.mask)
      : await powerOffHost(resolve(options.dir), options.host);
  } catch (err) {
    throw new StakeError((err as Error).message, { exitCode: EXIT.failed, hint: 'stake lab status shows the lab' });
  }
  const what = options.on
    ? changed
      ? `booted${options.mask.length ? ` with ${options.mask.join(', ')} masked for this boot` : ''}, sshd answering`
      : 'already running'
    : changed
      ? 'power lost: every process killed at once, nothing shut down; its disk is kept'
      : 'already off';
  if (term.options.json) term.document({ host: options.host, power: options.on ? 'on' : 'off', changed });
  else term.print(`${options.host}: ${what}`);
  return EXIT.ok;
}
