/**
 * The plan: what deploy would do on each host, as plain data (Terraform's model): which files it
 * would create, change or delete, which it leaves alone, and which services restart. Pure: the
 * rendered files and the gathered facts in, the plan out. A plan can be printed, saved, diffed,
 * and applied; applying makes no decision the plan did not.
 */
import type { HostRender } from '../render/host.js';
import { sha256 } from '../render/host.js';
import type { HostFacts } from './facts.js';

export type FileAction = 'create' | 'change' | 'delete' | 'unchanged';

export interface PlannedFile {
  path: string;
  action: FileAction;
  /** What differs on a change: content, mode, owner. */
  differs: ('content' | 'mode' | 'owner')[];
  sha256: string | null;
  mode: string;
  owner: string;
  restarts: string[];
}

export interface HostPlan {
  host: string;
  files: PlannedFile[];
  /** Services to restart because a file they depend on changed, plus services not running. */
  restart: string[];
  /** Special actions: load the firewall, reload sshd, apply sysctls. */
  actions: string[];
  changes: number;
}

export interface Plan {
  version: 1;
  deployment: string;
  hosts: HostPlan[];
}

const SPECIAL = new Set(['nftables', 'sshd', 'sysctl']);

export function planHost(render: HostRender, facts: HostFacts): HostPlan {
  const files: PlannedFile[] = render.files.map((f) => {
    const have = facts.files[f.path] ?? null;
    const want = sha256(f.content);
    const differs: PlannedFile['differs'] = [];
    if (have) {
      if (have.sha256 !== want) differs.push('content');
      if (have.mode !== f.mode) differs.push('mode');
      if (have.owner !== f.owner && facts.deployed) differs.push('owner');
    }
    const action: FileAction = !have ? 'create' : differs.length ? 'change' : 'unchanged';
    return { path: f.path, action, differs, sha256: want, mode: f.mode, owner: f.owner, restarts: f.restarts };
  });
  // Files stake deployed last time that this render no longer has.
  const rendered = new Set(render.files.map((f) => f.path));
  for (const old of facts.deployed?.files ?? []) {
    if (!rendered.has(old.path) && facts.files[old.path] !== null) {
      files.push({ path: old.path, action: 'delete', differs: [], sha256: null, mode: old.mode, owner: old.owner, restarts: old.restarts });
    }
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  const touched = files.filter((f) => f.action !== 'unchanged');
  const triggered = new Set(touched.flatMap((f) => f.restarts));
  const stopped = render.manifest.services.filter((s) => facts.services[s.name] !== 'active').map((s) => s.name);
  const restart = [...new Set([...[...triggered].filter((r) => !SPECIAL.has(r) && render.manifest.services.some((s) => s.name === r)), ...stopped])].sort();
  const actions = [...triggered].filter((r) => SPECIAL.has(r)).sort();
  return { host: render.host, files, restart, actions, changes: touched.length + restart.length };
}

export function computePlan(deployment: string, renders: HostRender[], facts: ReadonlyMap<string, HostFacts>): Plan {
  return {
    version: 1,
    deployment,
    hosts: renders.filter((r) => facts.has(r.host)).map((r) => planHost(r, facts.get(r.host)!)),
  };
}
