/**
 * Everything one host needs, rendered: its client configs, a unit or launch script per service,
 * the hardening profile, and the firewall ruleset; plus the manifest deploy applies them by.
 * Pure: the same inputs give byte-identical output (sorted, no timestamps).
 */
import { createHash } from 'node:crypto';
import { renderCardano } from './clients/cardano.js';
import { renderCometbft } from './clients/cometbft.js';
import { renderCosmosSigner } from './clients/cosmos-signer.js';
import { renderEthereum } from './clients/ethereum.js';
import type { HostContext } from './context.js';
import { RenderError } from './errors.js';
import { renderHardening } from './hardening.js';
import { renderMonitoring } from './monitoring.js';
import { renderNftables } from './nftables.js';
import { parseBack } from './parse-back.js';
import { renderServiceFiles } from './services.js';
import type { Manifest, RenderedFile, Service } from './types.js';

export const NFT_PATH = '/etc/stake/nftables.nft';

type ClientRenderer = (ctx: HostContext) => { files: RenderedFile[]; services: Service[] };

/** Renderers by client (and, where a client plays two roles, by tier). */
const RENDERERS: Record<string, ClientRenderer> = {
  cometbft: renderCometbft,
  'cardano-node': renderCardano,
  lighthouse: renderEthereum,
  teku: renderEthereum,
  vouch: renderEthereum,
  dirk: renderEthereum,
  web3signer: renderEthereum,
  tmkms: renderCosmosSigner,
  horcrux: renderCosmosSigner,
};

export const RENDERED_CLIENTS = Object.keys(RENDERERS);

export interface HostRender {
  host: string;
  files: RenderedFile[];
  manifest: Manifest;
}

export function renderHost(ctx: HostContext): HostRender {
  const { host, inv, graph } = ctx;
  const files: RenderedFile[] = [];
  const services: Service[] = [];
  if (host.client) {
    const renderer = RENDERERS[host.client];
    if (!renderer) {
      throw new RenderError(
        `host "${host.name}" runs ${host.client}, which stake cannot render yet`,
        `stake renders: ${RENDERED_CLIENTS.join(', ')}; use one of those, or render this host's configs yourself`,
      );
    }
    const client = renderer(ctx);
    files.push(...client.files);
    services.push(...client.services);
  }
  for (const service of services) files.push(renderServiceFiles(ctx, service));
  files.push(...renderHardening(ctx));
  files.push(...renderMonitoring(inv, graph, host));
  files.push({
    path: NFT_PATH,
    mode: '0600',
    owner: 'root:root',
    format: 'nft',
    content: renderNftables(inv, graph, host),
    restarts: ['nftables'],
    template: 'src/render/nftables.ts',
  });

  files.sort((a, b) => a.path.localeCompare(b.path));
  for (const f of files) parseBack(f, f.template);
  const duplicate = files.find((f, i) => i > 0 && files[i - 1]!.path === f.path);
  if (duplicate)
    throw new RenderError(
      `two files of "${host.name}" render to ${duplicate.path}`,
      'two services of this host collide; give one of them other paths',
    );

  return {
    host: host.name,
    files,
    manifest: {
      version: 1,
      host: host.name,
      deployment: inv.name,
      tier: host.tier,
      root: host.root,
      init: host.init,
      firewall: host.firewall,
      services: [...services].sort((a, b) => a.name.localeCompare(b.name)),
      files: files.map((f) => ({
        path: f.path,
        mode: f.mode,
        owner: f.owner,
        sha256: sha256(f.content),
        restarts: f.restarts,
      })),
    },
  };
}

export const sha256 = (content: string) => createHash('sha256').update(content, 'utf8').digest('hex');
