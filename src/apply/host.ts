/**
 * Applying one host's plan over its SSH connection: upload, stage and commit the files
 * (atomically, keeping what was there), load the firewall with its safety net, restart what
 * changed in dependency order and wait for each to answer. Any failure after the commit puts
 * the host back to exactly what it had. Every step is reported as an event.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { ResolvedHost } from '../inventory/resolve.js';
import { NFT_PATH, type HostRender } from '../render/host.js';
import { SYSCTL_PATH } from '../render/hardening.js';
import { launchScriptPath, unitPath } from '../render/services.js';
import type { Service } from '../render/types.js';
import type { SshConnection } from '../ssh/connection.js';
import { SshError } from '../ssh/errors.js';
import { plural } from '../output/diagnostics.js';
import { isUrl } from '../plan/binaries.js';
import {
  ARM_RESULT,
  armFirewallScript,
  CONFIRM_RESULT,
  confirmFirewallScript,
  rollbackRulesetPath,
} from './firewall.js';
import { freshThroughFirewall, revertSeen } from './firewall-revert.js';
import { INCOMING_DIR } from '../plan/host-layout.js';
import { managesOwners, type HostPlan } from '../plan/compute.js';
import { asRoot, braceGroup, shq, writeFromLines } from '../ssh/shell.js';
import { reported, runStep, ScriptFailure } from '../ssh/run-script.js';
import {
  clearPendingCommand,
  healthScript,
  restartCommand,
  stopCommand,
  ROLLBACK_RESULT,
  rollbackScript,
  STAGE_RESULT,
  stageScript,
  type FileWrite,
} from './scripts.js';

export type HostStatus = 'deployed' | 'unchanged' | 'rolled-back' | 'failed' | 'refused' | 'skipped' | 'unreachable';

export interface HostResult {
  host: string;
  status: HostStatus;
  /** What went wrong (failed, rolled-back, refused, unreachable), for people. */
  reason?: string;
  hint?: string;
  restarted: string[];
  written: number;
}

export type HostStep = 'upload' | 'stage' | 'firewall' | 'restart' | 'health' | 'action' | 'rollback';
export type StepListener = (host: string, step: HostStep, detail: string) => void;

export interface ApplyOptions {
  healthTimeoutSeconds: number;
  firewallRevertSeconds: number;
  /** Opens a new connection to the host (never the cached one): the proof the new firewall lets SSH in. */
  freshConnection: (host: ResolvedHost) => Promise<SshConnection>;
  onStep: StepListener;
  /** Reads a local binary once for all hosts. */
  readBinary?: (path: string) => Buffer;
  /**
   * A service that must not start again at once (a CometBFT validator with its key: its look-back,
   * observe/look-back.ts): the wait between its stop and its start, which says what it waited for.
   */
  startGate?: (host: ResolvedHost, service: string) => (() => Promise<string | undefined>) | undefined;
}

/** Services in the order they may start: each after those it names in `after`. */
export function startOrder(services: readonly Service[], names: readonly string[]): string[] {
  const wanted = new Set(names);
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (out.includes(name) || path.includes(name)) return;
    for (const dep of byName.get(name)?.after ?? []) if (wanted.has(dep)) visit(dep, [...path, name]);
    out.push(name);
  };
  for (const name of [...wanted].sort()) visit(name, []);
  return out;
}

const defaultReadBinary = (() => {
  const cache = new Map<string, Buffer>();
  return (path: string) => {
    let data = cache.get(path);
    if (!data) cache.set(path, (data = readFileSync(path)));
    return data;
  };
})();

export async function applyHost(
  conn: SshConnection,
  host: ResolvedHost,
  render: HostRender,
  plan: HostPlan,
  options: ApplyOptions,
): Promise<HostResult> {
  const result: HostResult = { host: host.name, status: 'unchanged', restarted: [], written: 0 };
  if (plan.changes === 0) return result;
  const step = (s: HostStep, detail: string) => options.onStep(host.name, s, detail);
  const readBinary = options.readBinary ?? defaultReadBinary;
  const contentOf = new Map(render.files.map((f) => [f.path, f.content]));
  const touched = plan.files.filter((f) => f.action !== 'unchanged');
  const writes = touched.filter((f) => f.action !== 'delete');
  let committed = false;
  let firewallLoaded = false;
  let sshdReloaded = false;
  try {
    // 1. binaries from this machine go up first, to a holding folder; nothing is replaced yet
    const fileWrites: FileWrite[] = [];
    for (const f of writes) {
      const base = { path: f.path, mode: f.mode, owner: f.owner, sha256: f.sha256! };
      if (!f.binary) {
        fileWrites.push({ ...base, from: { content: contentOf.get(f.path)! } });
      } else if (isUrl(f.binary.source)) {
        fileWrites.push({ ...base, from: { url: f.binary.source } });
      } else {
        const incoming = posix.join(INCOMING_DIR, `${f.binary.client}-${f.sha256}`);
        step('upload', `${f.binary.client} binary`);
        const bytes = readBinary(f.binary.source);
        // the write idiom (../ssh/shell.ts): no link followed, an exclusive temp, 0600 from the first byte
        const upload = braceGroup([
          'set -eu',
          ...writeFromLines(host.root, incoming, '0600', (into) => [`cat > ${into}`]),
        ]);
        await conn.run(asRoot(host, upload), { stdin: bytes, timeoutMs: 900_000 });
        fileWrites.push({ ...base, from: { uploaded: incoming } });
      }
    }
    // 2. stage, check, keep the old, commit
    step('stage', `${plural(touched.length, 'file')}`);
    const staged = await runStep(
      conn,
      host,
      'stage',
      stageScript({
        root: host.root,
        manageOwners: managesOwners(render),
        services: render.manifest.services,
        writes: fileWrites,
        deletes: touched.filter((f) => f.action === 'delete').map((f) => f.path),
        manifest: `${JSON.stringify(render.manifest)}\n`,
        restarts: plan.restart,
        ...(host.firewall === 'enforce' ? { checkRuleset: NFT_PATH } : {}),
      }),
      900_000,
      'staging the files',
    );
    // exit 0 is the commit having run (one brace group under set -eu): a bad record must still roll back
    committed = true;
    reported('stage', STAGE_RESULT)(staged);
    result.written = touched.length;

    // 3. the firewall, with its safety net
    if (plan.actions.includes('nftables')) {
      step(
        'firewall',
        `loading; reverts by itself in ${options.firewallRevertSeconds} s unless a new SSH connection gets in`,
      );
      const token = randomBytes(8).toString('hex');
      const revertAt = Date.now() + options.firewallRevertSeconds * 1000;
      const armed = await runStep(
        conn,
        host,
        'firewall',
        armFirewallScript(host.root, token, options.firewallRevertSeconds),
        60_000,
        'loading the firewall',
      );
      // exit 0 is the new ruleset loaded: a bad record must still restore the old one
      firewallLoaded = true;
      reported('firewall', ARM_RESULT)(armed);
      let fresh: SshConnection | undefined;
      let confirmed: string;
      try {
        fresh = await freshThroughFirewall(revertAt, () => options.freshConnection(host));
        confirmed = await runStep(
          fresh,
          host,
          'firewall',
          confirmFirewallScript(host.root, token),
          30_000,
          'confirming the firewall',
        );
      } catch (err) {
        // the rollback below must talk to a host that has its old rules back: its own timer does that
        const seen = await revertSeen(host, token, revertAt, () => options.freshConnection(host));
        throw new ScriptFailure(
          'firewall',
          `a new SSH connection could not get in through the new firewall (${errorText(err)}); ${seen ? 'the host restored its previous ruleset by itself' : 'the host was not seen restoring its previous ruleset'}`,
          'check access.admin_cidrs and bastions: the address stake connects from must be allowed to reach port 22',
        );
      } finally {
        fresh?.close();
      }
      // the confirmation got in and ran: its record is checked here, not as a connection that failed
      reported('firewall', CONFIRM_RESULT)(confirmed);
    }

    // 4. restarts, in dependency order, each waited for
    const units = touched.some((f) => f.path.startsWith('/etc/systemd/system/'));
    let reloadUnits = host.init === 'systemd' && units;
    for (const name of startOrder(render.manifest.services, plan.restart)) {
      const service = render.manifest.services.find((s) => s.name === name)!;
      step('restart', name);
      await gatedStart(conn, host, name, options);
      await runStep(conn, host, 'restart', restartCommand(host, name, reloadUnits), 120_000, `restarting ${name}`);
      reloadUnits = false;
      result.restarted.push(name);
      step(
        'health',
        'tcp' in service.health
          ? `${name} on port ${service.health.tcp}`
          : `${name} running ${service.health.steady} s`,
      );
      await runStep(
        conn,
        host,
        'health',
        healthScript(host, service, options.healthTimeoutSeconds),
        (options.healthTimeoutSeconds + 30) * 1000,
        `the health check of ${name}`,
      );
    }
    for (const action of plan.actions.filter((a) => a !== 'nftables')) {
      step('action', action);
      if (action === 'sshd') {
        sshdReloaded = true;
        await runStep(conn, host, 'action', SSHD_RELOAD, 60_000, 'reloading sshd');
        await proveNewLogin(host, options);
      } else {
        await runStep(conn, host, 'action', sysctlApply(host.root), 60_000, 'applying sysctls');
      }
    }
    await conn.run(asRoot(host, clearPendingCommand(host.root)), { timeoutMs: 30_000 });
    return { ...result, status: 'deployed' };
  } catch (err) {
    const reason = errorText(err);
    const hint = err instanceof ScriptFailure ? err.hint : err instanceof SshError ? err.hint : undefined;
    if (!committed)
      return { ...result, status: 'failed', reason: `${reason}; nothing was replaced`, ...(hint ? { hint } : {}) };
    try {
      await rollBack(conn, host, render, plan, { firewallLoaded, sshdReloaded }, options);
      return { ...result, status: 'rolled-back', reason, ...(hint ? { hint } : {}) };
    } catch (rollbackErr) {
      return {
        ...result,
        status: 'failed',
        reason: `${reason}; the rollback failed too: ${errorText(rollbackErr)}`,
        hint: 'run stake plan to see what the host has, then stake deploy again',
      };
    }
  }
}

/**
 * Puts the host back: services this deploy created are stopped (while their launch files still
 * exist), every file it touched is restored from previous/, the old ruleset goes back if the new
 * one was loaded, and the services that had a previous version restart on their old files.
 */
async function rollBack(
  conn: SshConnection,
  host: ResolvedHost,
  render: HostRender,
  plan: HostPlan,
  { firewallLoaded, sshdReloaded }: { firewallLoaded: boolean; sshdReloaded: boolean },
  options: ApplyOptions,
): Promise<void> {
  options.onStep(host.name, 'rollback', 'restoring the previous files');
  const launchFile = (name: string) => (host.init === 'systemd' ? unitPath(name) : launchScriptPath(name));
  const created = new Set(plan.files.filter((f) => f.action === 'create').map((f) => f.path));
  const fresh = plan.restart.filter((s) => created.has(launchFile(s)));
  for (const name of fresh) {
    const stop =
      host.init === 'systemd'
        ? `systemctl disable --now --quiet stake-${name}.service || true`
        : `${shq(posix.join(host.root, launchScriptPath(name)))} stop || true`;
    await conn.run(asRoot(host, stop), { timeoutMs: 120_000 });
  }
  const touched = plan.files.filter((f) => f.action !== 'unchanged').map((f) => f.path);
  const restore = rollbackScript(host.root, touched);
  await runStep(conn, host, 'rollback', restore, 120_000, 'restoring the previous files').then(
    reported('rollback', ROLLBACK_RESULT),
  );
  if (firewallLoaded) {
    await runStep(
      conn,
      host,
      'rollback',
      `nft -f ${shq(rollbackRulesetPath(host.root))}\n`,
      60_000,
      'restoring the previous ruleset',
    );
  }
  // sshd reads its old drop-in again (this connection, opened before the reload, still works)
  if (sshdReloaded) await runStep(conn, host, 'rollback', SSHD_RELOAD, 60_000, 'reloading sshd on its previous config');
  const again = plan.restart.filter((s) => !fresh.includes(s));
  for (const name of startOrder(render.manifest.services, again)) {
    await gatedStart(conn, host, name, options);
    await runStep(
      conn,
      host,
      'rollback',
      restartCommand(host, name, host.init === 'systemd'),
      120_000,
      `restarting ${name} on its previous files`,
    );
  }
  await conn.run(asRoot(host, clearPendingCommand(host.root)), { timeoutMs: 30_000 });
}

/** A gated service is stopped, and its gate waited for, before its restart starts it. */
async function gatedStart(conn: SshConnection, host: ResolvedHost, name: string, options: ApplyOptions): Promise<void> {
  const gate = options.startGate?.(host, name);
  if (!gate) return;
  await runStep(conn, host, 'restart', stopCommand(host, name), 120_000, `stopping ${name}`);
  const said = await gate();
  if (said) options.onStep(host.name, 'restart', `${name}: ${said}`);
}

/** sshd checks its whole configuration (the drop-in with it) before it reloads: a bad one is refused here. */
const SSHD_RELOAD = 'sshd -t && (systemctl reload ssh || systemctl reload sshd)';

/**
 * The network sysctls. A container shares its machine's kernel: only the keys of its own network
 * namespace (net.*) are its to set, kernel.* are read-only there and `sysctl --system` would fail
 * on them, so in a container stake's net.* keys are applied and the rest is said to be left to
 * the machine (systemd-detect-virt tells; a host where it is missing is taken for a machine).
 */
const sysctlApply = (root: string) =>
  [
    'if command -v systemd-detect-virt >/dev/null 2>&1 && systemd-detect-virt --quiet --container; then',
    `  grep -E '^[[:space:]]*net\\.' ${shq(posix.join(root, SYSCTL_PATH))} | sysctl -q -p - >/dev/null`,
    `  echo "stake: $(systemd-detect-virt --container) container: only the net.* keys of ${SYSCTL_PATH} apply here; the kernel.* keys are its machine's to set"`,
    'else sysctl --system >/dev/null; fi',
  ].join('\n');

/**
 * After sshd reloads a new drop-in, a new SSH login (a new connection, as root through become)
 * must get in before the drop-in is kept: a drop-in that would lock stake out (AllowUsers naming
 * no address stake comes from) fails the deploy here, and the rollback puts the old one back over
 * the connection that is still open.
 */
async function proveNewLogin(host: ResolvedHost, options: ApplyOptions): Promise<void> {
  // sshd re-executes itself on SIGHUP (Debian's `reload` is a kill -HUP that returns at once): for
  // a moment nothing listens and a connection is refused, or one the old listener had queued is
  // dropped before the SSH banner (seen under load: "Connection lost before handshake"), so those
  // are tried again for a while; a drop-in that shuts stake out fails at authentication instead
  const until = Date.now() + SSHD_RESTART_GRACE_MS;
  for (;;) {
    let fresh: SshConnection | undefined;
    try {
      fresh = await options.freshConnection(host);
      await fresh.run(asRoot(host, 'true'), { timeoutMs: 30_000 });
      return;
    } catch (err) {
      if (Date.now() < until && RESTARTING_SSHD.test(errorText(err))) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      throw new ScriptFailure(
        'action',
        `a new SSH login failed after sshd reloaded the new drop-in (${errorText(err)})`,
        'the drop-in allows only ssh.user from the SSH sources of the topology graph (access.admin_cidrs, bastions): the address stake connects from must be one',
      );
    } finally {
      fresh?.close();
    }
  }
}

/** What a connection meets while sshd re-executes itself: nothing listening, or a queued connection dropped. */
const RESTARTING_SSHD = /refused|lost before handshake|ECONNRESET|reset by peer/i;

/** How long sshd may take to listen again after a reload. */
const SSHD_RESTART_GRACE_MS = 10_000;

const errorText = (err: unknown) =>
  err instanceof SshError ? err.detail : err instanceof Error ? err.message : String(err);
