/** `stake lab up|status|down`: a local lab of real SSH hosts and a simulated chain (docs/lab.md). */
import { relative, resolve } from 'node:path';
import { StakeError } from '../errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { loadInventory } from '../inventory/load.js';
import { plural } from '../output/diagnostics.js';
import { formatTable } from '../output/table.js';
import type { Terminal } from '../output/terminal.js';
import { labDown } from '../lab/down.js';
import { DEFAULT_LAB_DIR } from '../lab/layout.js';
import { sshdUnavailable } from '../lab/sshd.js';
import { labStatus, type LabStatus } from '../lab/status.js';
import { labUp, loopbackReason, refuseUntabledClients } from '../lab/up.js';

export interface LabUpOptions {
  inventory: string;
  dir: string;
  loopback: boolean;
  blockTimeMs: number;
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
  const say = (line: string) => term.note(term.style.dim(`  ${line}`));
  term.note(
    `bringing up a lab of ${loaded.resolved.name} (${plural(loaded.resolved.hosts.length, 'host')}) in ${shown(dir)}`,
  );
  // Ctrl-C or SIGTERM half-way: the up stops at its next stage and takes down what it made
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(new Error(`interrupted by ${signal}`));
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let state;
  try {
    const mode = why ? 'loopback' : 'netns';
    state = await labUp(loaded, { dir, mode, blockTimeMs: options.blockTimeMs, say, signal: interrupt.signal });
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
      `✓ lab ${state.name} is up: ${plural(state.hosts.length, 'host')} ${state.mode === 'netns' ? 'in network namespaces, firewalls enforced' : 'on loopback'}`,
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
