/**
 * The lab chain process: `node main.js LAB_DIR`. Produces one height every blockTimeMs, announces
 * it to every connected simulated client, records the signatures they submit (appended to
 * chain/signatures.ndjson, so a restarted chain and a reader after `lab down` see them all), and
 * answers status queries. Started detached by `stake lab up`, stopped by pid by `stake lab down`.
 */
import { appendFileSync, chmodSync, existsSync, readFileSync, unlinkSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { labPaths } from '../layout.js';
import { hostModeOf, readLabState } from '../state.js';
import { Ledger, type Signature } from './ledger.js';
import { BlockLog, newEvidence } from './blocks.js';
import { onLines, send, type ClientReport, type HeightOffer, type ToChain } from './protocol.js';
import { REOFFER_DEPTH, forgetOldRounds, offerAtRandom, offersOnConnect, type Rounds } from './reoffer.js';
import { seededDraw } from '../../seeded.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node main.js LAB_DIR\n');
  process.exit(2);
}
const paths = labPaths(dir);
const state = readLabState(paths.state);
if (!state) {
  process.stderr.write(`no lab at ${dir}\n`);
  process.exit(2);
}

const ledger = new Ledger(
  state.family,
  state.identities.map((i) => i.name),
);
if (existsSync(paths.signatures)) {
  for (const line of readFileSync(paths.signatures, 'utf8').split('\n')) {
    if (line.trim()) ledger.record(JSON.parse(line) as Signature);
  }
}
const blocks = new BlockLog();
// the double signs already carried as evidence by a block (each goes in once)
const included = new Set<string>();
// a sync answer is a burst: a node catching up gets at most this many blocks per request
const SYNC_BATCH = 2000;
const reports = new Map<string, ClientReport>();
const clients = new Set<Socket>();
const rounds: Rounds = new Map();
// The re-offers' draws; STAKE_LAB_CHAIN_SEED replays a run whose log printed its seed.
const seed = Number(process.env.STAKE_LAB_CHAIN_SEED ?? Math.floor(Math.random() * 2 ** 32));
const draw = seededDraw(seed);

const server = createServer((socket) => {
  clients.add(socket);
  socket.on('close', () => clients.delete(socket));
  socket.on('error', () => socket.destroy());
  onLines<ToChain>(socket, (m) => {
    switch (m.type) {
      case 'hello':
        // a client that (re)connects meets the recent heights again, as a restarted signer would
        for (const o of offersOnConnect(ledger.height, rounds, ledger.recentlySigned(REOFFER_DEPTH))) send(socket, o);
        break;
      case 'sync':
        for (const block of blocks.since(Math.max(1, m.from), SYNC_BATCH)) send(socket, { type: 'block', block });
        break;
      case 'report':
        reports.set(`${m.report.host}/${m.report.client}`, m.report);
        break;
      case 'sign': {
        const sig = { ...m.signature, at: new Date().toISOString() };
        // A signature for a height the chain has not reached is not a vote it could count.
        if (sig.height > ledger.height) break;
        if ((sig.round ?? 0) > (rounds.get(sig.height) ?? 0)) break; // nor a round it has not offered
        if (ledger.record(sig)) appendFileSync(paths.signatures, `${JSON.stringify(sig)}\n`);
        break;
      }
      case 'status':
        send(socket, {
          type: 'status',
          summary: ledger.summary(),
          reports: [...reports.values()].sort(
            (a, b) => a.host.localeCompare(b.host) || a.client.localeCompare(b.client),
          ),
          blockTimeMs: state.blockTimeMs,
        });
        break;
    }
  });
});

if (existsSync(state.chain.socket)) unlinkSync(state.chain.socket); // left by a crashed chain
server.listen(state.chain.socket, () => {
  // systemd hosts: the clients run as their own users inside the hosts, and connecting to a
  // socket takes write permission on it
  if (hostModeOf(state) === 'systemd') chmodSync(state.chain.socket, 0o666);
  process.stdout.write(
    `lab chain for ${state.name}: one height every ${state.blockTimeMs} ms on ${state.chain.socket}; re-offers drawn with STAKE_LAB_CHAIN_SEED=${seed}\n`,
  );
});
const family = state.family;
/** Commits the height offered a tick ago: the signatures that came in time, and new evidence. */
function commit(height: number): void {
  if (height < 1) return;
  const time = new Date().toISOString();
  const block = {
    height,
    time,
    round: rounds.get(height) ?? 0,
    signed: ledger.signedAt(height),
    evidence: newEvidence(ledger.doubleSigns(), included, time),
  };
  // cardano: a second producer's block of the slot, which the relays serve as a fork
  const also = family === 'cardano' ? ledger.forgedAlso(height) : [];
  if (also.length) Object.assign(block, { also });
  blocks.add(block);
  for (const c of clients) send(c, { type: 'block', block });
}

// A restarted chain's blocks before the restart are gone; the double signs of its signature log
// were evidence then, so they are not evidence again
for (const d of ledger.doubleSigns()) included.add(`${d.identity}/${d.height}/${d.round ?? 0}`);

/** Commits the height offered a tick ago and offers the next. */
function tick(): void {
  commit(ledger.height);
  const height = ledger.tick();
  forgetOldRounds(rounds, height);
  const offers: HeightOffer[] = [{ type: 'height', height, round: 0 }, ...offerAtRandom(family, height, rounds, draw)];
  for (const c of clients) for (const o of offers) send(c, o);
}

// Cardano's slots are time: slot h begins at slotZero + h × blockTimeMs, offered then, so a
// block's time follows from its slot as on a real network. Other chains tick on an interval.
const slotZero = state.slotZero ? Date.parse(state.slotZero) : undefined;
/** A chain this many slots behind its clock (restarted, or starved) skips to it; fewer are caught up one by one. */
const CATCH_UP_SLOTS = 10;
let timer: NodeJS.Timeout;
const blockMs = state.blockTimeMs;
if (slotZero !== undefined) {
  const slotNow = () => Math.floor((Date.now() - slotZero) / blockMs);
  const onSlot = () => {
    const now = slotNow();
    if (now - ledger.height > CATCH_UP_SLOTS) ledger.height = now - 1; // the slots passed while it was down
    while (ledger.height < now) tick();
    timer = setTimeout(onSlot, Math.max(1, slotZero + (ledger.height + 1) * blockMs - Date.now()));
  };
  timer = setTimeout(onSlot, Math.max(1, slotZero + (slotNow() + 1) * blockMs - Date.now()));
} else timer = setInterval(tick, blockMs);

const stop = () => {
  clearTimeout(timer);
  clearInterval(timer);
  for (const c of clients) c.destroy();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref(); // the grace for close(): exit even if a client never lets go
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
