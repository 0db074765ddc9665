import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { UsageError } from '../errors.js';
import { loadInventory } from '../inventory/load.js';
import { plural } from '../output/diagnostics.js';
import type { Terminal } from '../output/terminal.js';
import type { HostRender } from '../render/host.js';
import { renderDeployment } from '../render/deployment.js';
import { pendingNodeIdsNote } from '../render/node-ids.js';

export interface RenderOptions {
  inventory: string;
  out: string;
  hosts: string[];
  tiers: string[];
  templates?: string;
}

/** `stake render`: writes OUT/<host>/<path> and OUT/<host>/manifest.json for the selected hosts. */
export async function render(options: RenderOptions, term: Terminal): Promise<ExitCode> {
  const { resolved } = await loadInventory(options.inventory);
  for (const name of options.hosts) {
    if (!resolved.hosts.some((h) => h.name === name))
      throw new UsageError(
        `--host ${name}: no such host in ${options.inventory}`,
        `hosts: ${resolved.hosts.map((h) => h.name).join(', ')}`,
      );
  }
  const { renders, overrides, pendingNodeIds } = renderDeployment(resolved, {
    inventory: options.inventory,
    templates: options.templates,
    pendingNodeIds: true,
    selection: { hosts: options.hosts, tiers: options.tiers },
  });
  let bytes = 0;
  for (const r of renders) bytes += writeHost(options.out, r);
  const files = renders.reduce((n, r) => n + r.files.length, 0);
  if (term.options.json) {
    term.document({
      out: options.out,
      overrides,
      pending_node_ids: pendingNodeIds,
      hosts: renders.map((r) => ({
        host: r.host,
        files: r.manifest.files,
        services: r.manifest.services.map((s) => s.name),
      })),
      files,
      bytes,
    });
  } else {
    for (const o of overrides) term.print(term.style.yellow(`using your template ${o}`));
    if (pendingNodeIds.length) term.print(term.style.yellow(pendingNodeIdsNote(pendingNodeIds)));
    for (const r of renders)
      term.print(
        `${r.host.padEnd(24)} ${plural(r.files.length, 'file')}${r.manifest.services.length ? `, runs ${r.manifest.services.map((s) => s.name).join(', ')}` : ''}`,
      );
    term.print(
      term.style.green(
        `✓ rendered ${plural(renders.length, 'host')}, ${plural(files, 'file')} (${(bytes / 1024 / 1024).toFixed(2)} MB) into ${options.out}`,
      ),
    );
  }
  return EXIT.ok;
}

/** Writes a host's files into a fresh folder, then swaps it in: no stale file from an earlier render survives. */
function writeHost(out: string, r: HostRender): number {
  const final = join(out, r.host);
  const staging = join(out, `.${r.host}.rendering-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  let bytes = 0;
  // Each folder once: a recursive mkdir per file cost more than the whole render at 1,000 hosts.
  const made = new Set<string>();
  for (const f of r.files) {
    const path = join(staging, f.path);
    const parent = dirname(path);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    writeFileSync(path, f.content, { mode: Number.parseInt(f.mode, 8) });
    bytes += Buffer.byteLength(f.content);
  }
  if (!made.has(staging)) mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(r.manifest, null, 2)}\n`);
  const old = join(out, `.${r.host}.old-${process.pid}`);
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(final, old);
  } catch {
    // first render of this host
  }
  renameSync(staging, final);
  rmSync(old, { recursive: true, force: true });
  return bytes;
}
