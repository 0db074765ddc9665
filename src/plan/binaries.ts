/**
 * Client binaries deploy installs: for each `clients.<name>` with a `source` and a pinned
 * `sha256`, on each host whose services run that binary. Pure: the inventory and a host's render
 * in, what to install out. Where the bytes come from (a file here, a URL fetched on the host) is
 * the applier's business; what may be installed is decided by the pin alone.
 */
import { dirname, isAbsolute, join, posix } from 'node:path';
import type { ResolvedInventory } from '../inventory/resolve.js';
import { binaryPath } from '../render/context.js';
import type { HostRender } from '../render/host.js';

export interface ClientBinary {
  client: string;
  /** Where it is installed, relative to the host's root. */
  path: string;
  /** An https:// or http:// URL fetched on the host, or an absolute file path on this machine. */
  source: string;
  sha256: string;
  mode: '0755';
  owner: 'root:root';
  /** The services that run it: they restart when it changes. */
  restarts: string[];
}

export const isUrl = (source: string) => /^https?:\/\//.test(source);

export function binariesOf(inv: ResolvedInventory, render: HostRender, inventoryFile: string): ClientBinary[] {
  const out: ClientBinary[] = [];
  for (const [client, settings] of Object.entries(inv.clients)) {
    if (!settings.source || !settings.sha256) continue;
    const path = binaryPath(inv, client);
    const onHost = posix.join(render.manifest.root, path);
    const restarts = render.manifest.services.filter((s) => s.exec[0] === onHost).map((s) => s.name);
    if (restarts.length === 0) continue;
    const source = isUrl(settings.source)
      ? new URL(settings.source).href // the canonical serialisation (validate parsed it)
      : isAbsolute(settings.source)
        ? settings.source
        : join(dirname(inventoryFile), settings.source);
    out.push({ client, path, source, sha256: settings.sha256, mode: '0755', owner: 'root:root', restarts });
  }
  return out;
}
