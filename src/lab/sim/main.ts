/**
 * A simulated chain client for lab hosts: `node main.js --lab DIR --client NAME --self PATH -- ARGS`.
 * The lab installs a small script as each client's binary that runs this with the client's own
 * arguments, so `stake deploy` starts it through the normal launch path. It reads the rendered
 * config, listens and dials as the real client would, follows the lab chain's heights, and signs
 * where the host holds the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createConnection, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { onLines, send, type FromChain } from '../chain/protocol.js';
import { hostModeOf, readLabState, type LabHostRecord, type LabState } from '../state.js';
import { labPaths } from '../layout.js';
import { cardanoNode } from './cardano.js';
import { cometbftStartError, cometbftValidator } from './cometbft.js';
import { simConfigOf, type Endpoint } from './config.js';
import { idle, type Behaviour, type HeightOutcome, type Offer, type SimContext } from './context.js';
import { REOFFER_DEPTH } from '../chain/reoffer.js';
import { dirkSigner, dirkStartError, vouchClient } from './ethereum.js';
import { cometbftKey } from '../keys.js';
import { initialSignState } from '../../keys/layout.js';
import { readIfExists, writeDurably } from '../../files.js';
import { listenAll, Peer } from './net.js';
import { metricsText } from './metrics.js';
import { metricsPathOf } from '../../inventory/client-metrics.js';
import { clientReference } from '../../reference/client-reference.js';
import { refusal } from './strict.js';
import { ChainView } from './chain-view.js';
import { cometbftRpcServer } from './cometbft-node.js';
import { beaconApiServer } from './beacon-node.js';
import type { ChainBlock } from '../chain/blocks.js';
import { serveNodeSocket } from './node-socket.js';
import { ogmiosServer } from './ogmios-node.js';
import { listenForSigner } from './remote-signer.js';
import { startTmkms } from './tmkms.js';

/** What a reconnect brings (the identities' last signed heights, the recent ones, the new one) with room to spare: more waiting means the node is behind. */
const MAX_QUEUED_OFFERS = 6 * REOFFER_DEPTH;
/** A node behind asks for blocks at most this often (an answer is on its way meanwhile). */
const SYNC_PACE_MS = 1000;

function argument(name: string, argv: string[]): string {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? argv[i + 1] : undefined;
  if (!value) throw new Error(`missing --${name}`);
  return value;
}

/**
 * The lab host this client runs on: on a systemd host, the one named by its hostname (every
 * host's root is its own `/`); on a process host, the one whose root holds this binary (the
 * longest matching root wins).
 */
function hostOf(lab: LabState, self: string): LabHostRecord {
  const { hosts } = lab;
  if (hostModeOf(lab) === 'systemd') {
    const name = hostname();
    const host = hosts.find((h) => h.name === name);
    if (!host) throw new Error(`this host's name ${name} is no lab host's`);
    return host;
  }
  const matches = hosts
    .filter((h) => self.startsWith(`${h.root.replace(/\/$/, '')}/`))
    .sort((a, b) => b.root.length - a.root.length);
  if (!matches[0]) throw new Error(`${self} is under no lab host's root`);
  return matches[0];
}

/**
 * On loopback every host shares one network stack: a client that would listen on every address
 * (or on 127.0.0.1) listens on its own host's lab addresses instead, or two hosts would collide.
 * In a namespace the host has its own stack and listens exactly as configured.
 */
function bindings(endpoints: Endpoint[], host: LabHostRecord, shared: boolean): Endpoint[] {
  if (!shared) return endpoints;
  const out: Endpoint[] = [];
  for (const e of endpoints) {
    if (['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(e.host))
      for (const a of host.addresses) out.push({ host: a, port: e.port });
    else out.push(e);
  }
  return out.filter((e, i) => out.findIndex((x) => x.host === e.host && x.port === e.port) === i);
}

/**
 * tmkms: no chain node, it signs for the validators it dials (./tmkms.ts). Its config from -c,
 * else TMKMS_CONFIG_FILE, else tmkms.toml in the working directory (src/commands.rs).
 */
function runTmkms(argv: string[], hostName: string): void {
  const flag = argv.findIndex((a) => a === '-c' || a === '--config');
  const path =
    (flag >= 0 ? argv[flag + 1] : argv.find((a) => a.startsWith('--config='))?.slice(9)) ??
    process.env.TMKMS_CONFIG_FILE ??
    'tmkms.toml';
  const text = readIfExists(path);
  if (text === undefined) {
    // abscissa's words for a config it cannot read; the cause's wording is the lab's
    process.stderr.write(`error: tmkms fatal error: config error: couldn't read ${path}: No such file or directory\n`);
    process.exit(1);
  }
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} tmkms@${hostName}: ${line}\n`);
  const started = startTmkms(text, {
    read: readIfExists,
    write: writeDurably,
    dial: (h, port) => createConnection({ host: h, port }),
    dirExists: (d) => existsSync(d),
    log,
  });
  if ('refused' in started) {
    process.stderr.write(`${started.refused.message}\n`);
    process.exit(started.refused.exitCode);
  }
  const stop = () => {
    started.stop();
    log('Shutdown completed successfully');
    setTimeout(() => process.exit(0), 100).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const split = argv.indexOf('--');
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const clientArgs = split >= 0 ? argv.slice(split + 1) : [];
  const dir = argument('lab', own);
  const client = argument('client', own);
  const lab = readLabState(labPaths(dir).state);
  if (!lab) throw new Error(`no lab at ${dir}`);
  const host = hostOf(lab, argument('self', own));
  // As strict as the real client: its command line held to its reference table, refused with its
  // own exit code and words (lab up made sure a table exists for the pinned version)
  const table = clientReference(client, argument('version', own));
  if (!table) throw new Error(`no reference table for ${client} ${argument('version', own)}`);
  const refused = refusal(table, clientArgs, (p) => readFileSync(p, 'utf8'));
  if (refused) {
    (refused.stream === 'stdout' ? process.stdout : process.stderr).write(`${refused.message}\n`);
    process.exit(refused.exitCode);
  }
  if (client === 'tmkms') return runTmkms(clientArgs, host.name);
  const config = simConfigOf(client, clientArgs, (p) => readFileSync(p, 'utf8'), process.env);
  if (config.role === 'cometbft') {
    // as LoadOrGenFilePV (node/setup.go, v0.38.17): no key file, a new key and a fresh state
    // written at their paths: a key of no validator, which a standby then holds at the path
    if (config.keyFile && config.stateFile && readIfExists(config.keyFile) === undefined) {
      writeDurably(config.keyFile, cometbftKey().text);
      writeDurably(config.stateFile, initialSignState('cosmos')!.content);
    }
    const keyRefused = cometbftStartError(config.keyFile, config.stateFile);
    if (keyRefused) {
      process.stderr.write(`${keyRefused}\n`);
      process.exit(keyRefused.startsWith('panic:') ? 2 : 1); // cmtos.Exit is 1; a Go panic 2
    }
  }
  if (config.role === 'dirk') {
    // dirk logs the error and returns from main: exit status 0 (dirk 1.2.0 main.go), which a
    // unit with Restart=on-failure leaves dead
    const refusedStart = dirkStartError(config);
    if (refusedStart) {
      process.stdout.write(
        `${JSON.stringify({ level: 'error', error: refusedStart, message: 'Failed to initialise services' })}\n`,
      );
      process.exit(0);
    }
  }
  const log = (message: string) =>
    process.stdout.write(`${new Date().toISOString()} ${client}@${host.name}: ${message}\n`);
  // a validator with priv_validator_laddr: no start without a signer that answers within 3 s
  const remote = config.privvalLaddr
    ? await listenForSigner(config.privvalLaddr, lab.chainId ?? lab.name, log).catch((err: Error) => {
        process.stderr.write(`${err.message}\n`);
        process.exit(1);
      })
    : undefined;
  // Ogmios is no chain node: it follows its own node through the node's socket, and serves
  if (config.role === 'ogmios') {
    const ogmios = ogmiosServer(lab, config.socketPath!, config.network ?? null);
    const listening = await listenAll(bindings(config.listen, host, lab.mode === 'loopback'), (_e, socket) =>
      ogmios.server.emit('connection', socket),
    );
    log(`serving on ${listening.map((s) => JSON.stringify(s.address())).join(', ')}, following ${config.socketPath}`);
    const stop = () => {
      ogmios.stop();
      for (const s of listening) s.close();
      setTimeout(() => process.exit(0), 200).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }

  // A peer on 127.0.0.1 is this host's own service (an engine API), not a network peer.
  const peers = config.peers.filter((p) => !['127.0.0.1', 'localhost', '::1'].includes(p.host)).map((e) => new Peer(e));
  const peersUp = () => peers.filter((p) => p.connected).length;
  let chain: Socket | undefined;
  // what the metrics endpoint tells: the newest height seen and the last this process signed
  let seen = 0;
  let lastSigned = 0;
  // Offers are handled one at a time, in order; a node that falls behind drops the oldest, as a slow node would.
  const queue: Offer[] = [];
  const held: Offer[] = [];
  const ctx: SimContext = {
    lab,
    host,
    config,
    peersUp,
    submit: (signature) => {
      if (chain) send(chain, { type: 'sign', signature: { ...signature, at: '' } });
      lastSigned = Math.max(lastSigned, signature.height);
      log(`signed ${signature.kind} at ${signature.height} for ${signature.identity}`);
    },
    log,
    signer: `${host.name}#${process.pid}`,
    // Taken as a restart: what was queued for the old process is gone (a height queued behind the
    // rejoin would otherwise be signed before the chain's offers to the "new" process, and a
    // signer whose protection was lost would then refuse those offers by the newer watermark,
    // hiding the loss), and the connection's 'close' handler dials again.
    rejoin: () => {
      queue.length = 0;
      held.length = 0;
      chain?.destroy();
    },
  };
  // The blocks this node saw (it sees nothing without a peer) or fetched back by block sync, which
  // its API serves: the chain observer reads the lab through them, as it reads a real network.
  const view = new ChainView();
  const behaviour: Behaviour =
    config.role === 'cometbft'
      ? cometbftValidator(ctx, {
          view,
          // config.toml read again at each start (a key moved in is taken as one)
          checkHeight: () => {
            try {
              return (
                simConfigOf(client, clientArgs, (p) => readFileSync(p, 'utf8'), process.env).doubleSignCheckHeight ?? 0
              );
            } catch {
              return config.doubleSignCheckHeight ?? 0;
            }
          },
          // what SwitchToConsensus does with the error: a panic, exit status 2 (systemd restarts it)
          refuseStart: (why) => {
            log(why);
            process.stderr.write(`panic: Failed to start consensus state: ${why}\n`);
            process.exit(2);
          },
          ...(remote ? { remote } : {}),
        })
      : config.role === 'cardano-node'
        ? cardanoNode(ctx)
        : config.role === 'vouch'
          ? vouchClient(ctx)
          : config.role === 'dirk'
            ? dirkSigner(ctx)
            : idle;

  // a public sentry also has the rest of the network (its pex and seeds), which the lab's chain stands in for
  const canSee = () => peers.length === 0 || peersUp() > 0 || config.publicNetwork === true;
  let syncAsked = 0;
  const sync = () => {
    if (!chain || Date.now() - syncAsked < SYNC_PACE_MS) return;
    syncAsked = Date.now();
    send(chain, { type: 'sync', from: view.head + 1 });
  };
  const onBlock = (block: ChainBlock) => {
    if (!canSee()) return;
    view.add(block);
    if (view.behind) sync(); // back from a cut, or a gap: catch up
  };
  // the client's own API, served from those blocks: CometBFT's RPC, a beacon node's Beacon API
  const rpc = !config.api
    ? undefined
    : config.role === 'cometbft'
      ? cometbftRpcServer(ctx, view)
      : config.role === 'listener'
        ? beaconApiServer(ctx, view)
        : undefined;

  // cardano-node: its local socket, where the relay's Ogmios follows it
  const nodeSocket = config.socketPath ? serveNodeSocket(config.socketPath, view) : undefined;

  const metricsPorts = new Set(config.metrics.map((m) => m.port));
  const validatorAddress = lab.identities.find((i) => i.members.includes(host.name))?.keyAddress;
  const metricsPath = metricsPathOf(client);
  const serveMetrics = (socket: Socket) => {
    socket.once('data', (request: Buffer) => {
      // as the real client: its metrics at its own path only (geth: /debug/metrics/prometheus)
      const path = /^GET (\S+) HTTP\//.exec(request.toString('latin1'))?.[1];
      if (path !== metricsPath) {
        socket.end(
          'HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\n404 page not found\n',
        );
        return;
      }
      const body = metricsText(client, {
        height: seen,
        peers: peersUp(),
        syncing: seen === 0 || (peers.length > 0 && peersUp() === 0),
        lastSigned,
        doubleSignEvidence: view.get(view.head)?.evidence.length ?? 0,
        ...(validatorAddress ? { validatorAddress } : {}),
      });
      socket.end(
        `HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
  };
  const servers: Server[] = await listenAll(bindings(config.listen, host, lab.mode === 'loopback'), (e, socket) =>
    metricsPorts.has(e.port)
      ? serveMetrics(socket)
      : rpc && e.port === config.api?.port
        ? rpc.emit('connection', socket)
        : behaviour.onConnection?.(e, socket),
  );
  log(
    `listening on ${
      servers
        .map((s) => {
          const a = s.address() as { address: string; port: number };
          return `${a.address}:${a.port}`;
        })
        .join(', ') || 'nothing'
    }; ${peers.length} peer(s) configured`,
  );

  let last: HeightOutcome = { signing: false };
  // Heights offered again while no peer was up: the chain was still at them when the node could
  // not see it, so the node meets them once its first peer answers, before anything newer (as a
  // node that catches up would). Dropped instead, a peer dial slower than the chain's replay (a
  // booting host under load) would hide a lost watermark.
  const meetHeld = async () => {
    if (held.length === 0 || peersUp() === 0) return;
    for (const o of held.splice(0)) await handle(o);
  };
  const handle = async (offer: Offer): Promise<void> => {
    if (offer.height < 1) return;
    if (offer.replay && peers.length > 0 && peersUp() === 0) {
      held.push(offer);
      if (held.length > MAX_QUEUED_OFFERS) held.shift();
      return;
    }
    await meetHeld();
    // a node with no peer cannot see the chain; a height offered again is not news
    if (!offer.replay && (peers.length === 0 || peersUp() > 0)) seen = Math.max(seen, offer.height);
    let outcome: HeightOutcome;
    try {
      outcome = await behaviour.onHeight(offer);
    } catch (err) {
      outcome = { signing: false, note: (err as Error).message };
    }
    if (offer.replay) {
      // refusing a height offered again is what a signer with its watermark does: logged, not reported
      if (outcome.note) log(`height ${offer.height} offered again: ${outcome.note}`);
      return;
    }
    last = outcome;
    if (last.note) log(last.note);
    if (chain)
      send(chain, {
        type: 'report',
        report: {
          host: host.name,
          client,
          pid: process.pid,
          peers: peersUp(),
          peersWanted: peers.length,
          signing: last.signing,
          ...(last.note ? { note: last.note } : {}),
          at: new Date().toISOString(),
        },
      });
  };
  let working = false;
  const enqueue = async (offer: Offer) => {
    queue.push(offer);
    if (queue.length > MAX_QUEUED_OFFERS) queue.shift();
    if (working) return;
    working = true;
    try {
      while (queue.length > 0) await handle(queue.shift()!);
    } finally {
      working = false;
    }
  };

  const connectChain = () => {
    const socket = createConnection(lab.chain.socket);
    socket.on('connect', () => {
      chain = socket;
      send(socket, { type: 'hello', host: host.name, client, pid: process.pid });
      // a (re)started node fetches what it missed before it follows the new blocks
      syncAsked = Date.now();
      send(socket, { type: 'sync', from: view.head + 1 });
    });
    onLines<FromChain>(socket, (m) => {
      if (m.type === 'height') void enqueue({ height: m.height, round: m.round ?? 0, replay: m.replay === true });
      else if (m.type === 'block') onBlock(m.block);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (chain === socket) chain = undefined;
      if (!stopping) setTimeout(connectChain, 500); // redial pace, as net.ts
    });
  };
  let stopping = false;
  connectChain();

  const stop = () => {
    stopping = true;
    behaviour.stop?.();
    peers.forEach((p) => p.stop());
    chain?.destroy();
    for (const s of servers) s.close();
    rpc?.close();
    nodeSocket?.close();
    setTimeout(() => process.exit(0), 200).unref(); // the grace for its last writes: exit even if a socket lingers
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`simulated client: ${err.message}\n`);
  process.exit(1);
});
