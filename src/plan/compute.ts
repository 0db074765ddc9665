/**
 * The plan: what deploy would do on each host, as plain data (Terraform's model): which files it
 * would create, change or delete, which it leaves alone, and which services restart. Pure: the
 * rendered files and the gathered facts in, the plan out. A plan can be printed, saved, diffed,
 * and applied; applying makes no decision the plan did not.
 */
import type { HostRender } from '../render/host.js';
import { sha256 } from '../render/host.js';
import type { ClientBinary } from './binaries.js';
import type { HostFacts } from './facts.js';
import { RENDERED_PATH_SHAPES } from './host-layout.js';
import { isCanonicalPath } from '../ssh/host-records.js';

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
  /** A client binary (not rendered: uploaded or fetched, checked against its pinned sha256). */
  binary?: { client: string; source: string };
}

export interface HostPlan {
  host: string;
  files: PlannedFile[];
  /** Services to restart: a file they depend on changed, a cut-off deploy left them pending, or they are not running. */
  restart: string[];
  /** Host-level actions, in order: load the firewall (nftables), reload sshd, apply sysctls. */
  actions: string[];
  /**
   * Whether applying this host interrupts something running: a restart of a service that is up,
   * or a host-level action. Only such hosts roll one by one among their rivals; a service that
   * is not running (a first deploy) has no availability to lose and starts right away.
   */
  disrupts: boolean;
  changes: number;
}

export interface Plan {
  version: 1;
  deployment: string;
  hosts: HostPlan[];
}

const SPECIAL = ['nftables', 'sshd', 'sysctl'];

/**
 * Which special actions a host can take. The firewall loads only where it is enforced; sshd and
 * sysctl act on the machine itself, so a host with a root prefix (sharing its machine, as test
 * and lab hosts do) gets the files but never reloads the machine's sshd or kernel settings.
 */
export function applicableActions(render: HostRender): Set<string> {
  const m = render.manifest;
  const actions = new Set<string>();
  if (m.firewall === 'enforce') actions.add('nftables');
  if (m.root === '/' && m.init === 'systemd') actions.add('sshd');
  if (m.root === '/') actions.add('sysctl');
  return actions;
}

/**
 * Owners are managed only on a host that is its whole machine (root `/`): a host under a root
 * prefix shares the machine's users, so stake creates none there and leaves owners as they are.
 */
export const managesOwners = (render: HostRender) => render.manifest.root === '/';

/**
 * Whether deploy may delete a path the host's manifest lists: canonical (nothing in it climbs out
 * of the root), and a path stake renders (one of its shapes, or a client binary the inventory
 * names). Anything else the manifest lists is a host's claim, not stake's record.
 */
export function deletable(path: string, binaries: readonly Pick<ClientBinary, 'path'>[] = []): boolean {
  if (!isCanonicalPath(path)) return false;
  return RENDERED_PATH_SHAPES.some((shape) => shape.test(path)) || binaries.some((b) => b.path === path);
}

/** The manifest's paths that deploy would not delete, as problems for the host (it is refused, exit 4). */
export function deletionProblems(facts: HostFacts, binaries: readonly Pick<ClientBinary, 'path'>[] = []): string[] {
  return (facts.deployed?.files ?? [])
    .filter((f) => !deletable(f.path, binaries))
    .map((f) => `the deployed manifest lists ${JSON.stringify(f.path.slice(0, 200))}, a path stake never renders`);
}

export function planHost(render: HostRender, facts: HostFacts, binaries: readonly ClientBinary[] = []): HostPlan {
  const owners = managesOwners(render);
  const compare = (
    path: string,
    want: string,
    mode: string,
    owner: string,
  ): Pick<PlannedFile, 'action' | 'differs'> => {
    const have = facts.files[path] ?? null;
    if (!have) return { action: 'create', differs: [] };
    const differs: PlannedFile['differs'] = [];
    if (have.sha256 !== want) differs.push('content');
    if (have.mode !== mode) differs.push('mode');
    if (owners && have.owner !== owner) differs.push('owner');
    return { action: differs.length ? 'change' : 'unchanged', differs };
  };
  const files: PlannedFile[] = render.files.map((f) => {
    const want = sha256(f.content);
    return {
      path: f.path,
      ...compare(f.path, want, f.mode, f.owner),
      sha256: want,
      mode: f.mode,
      owner: f.owner,
      restarts: f.restarts,
    };
  });
  for (const b of binaries) {
    files.push({
      path: b.path,
      ...compare(b.path, b.sha256, b.mode, b.owner),
      sha256: b.sha256,
      mode: b.mode,
      owner: b.owner,
      restarts: b.restarts,
      binary: { client: b.client, source: b.source },
    });
  }
  // Files stake deployed last time that this render no longer has.
  const rendered = new Set(files.map((f) => f.path));
  for (const old of facts.deployed?.files ?? []) {
    if (!rendered.has(old.path) && facts.files[old.path] !== null && deletable(old.path, binaries)) {
      files.push({
        path: old.path,
        action: 'delete',
        differs: [],
        sha256: null,
        mode: old.mode,
        owner: old.owner,
        restarts: old.restarts,
      });
    }
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  const touched = files.filter((f) => f.action !== 'unchanged');
  const services = new Set(render.manifest.services.map((s) => s.name));
  const triggered = new Set([...touched.flatMap((f) => f.restarts), ...facts.pending]);
  const stopped = render.manifest.services.filter((s) => facts.services[s.name] !== 'active').map((s) => s.name);
  const restart = [...new Set([...[...triggered].filter((r) => services.has(r)), ...stopped])].sort();
  const possible = applicableActions(render);
  const actions = SPECIAL.filter((a) => triggered.has(a) && possible.has(a));
  const disrupts = restart.some((s) => facts.services[s] === 'active') || actions.length > 0;
  return {
    host: render.host,
    files,
    restart,
    actions,
    disrupts,
    changes: touched.length + restart.length + actions.length,
  };
}

export function computePlan(
  deployment: string,
  renders: HostRender[],
  facts: ReadonlyMap<string, HostFacts>,
  binaries: ReadonlyMap<string, ClientBinary[]> = new Map(),
): Plan {
  return {
    version: 1,
    deployment,
    hosts: renders
      .filter((r) => facts.has(r.host))
      .map((r) => planHost(r, facts.get(r.host)!, binaries.get(r.host) ?? [])),
  };
}
