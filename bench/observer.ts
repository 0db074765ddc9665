/**
 * `npm run bench:observer [-- --family cardano]`: the chain observer against a deployed cosmos lab
 * (systemd hosts where they run), through the real CLI and the sentries' CometBFT RPC, or a cardano
 * lab through the relays' Ogmios (its read costs only: the lab's Ogmios shows no fork yet, so a
 * double sign is not measured there):
 * - the cost of the observer's reads, in process as `stake status --watch` and failover use it
 *   (one session, rounds in a row): the first read, and a warm round (median of --runs); beside
 *   them a whole cold `stake status`;
 * - the time from a double sign to the observer showing it: a copy of the key with a fresh state
 *   is put on the standby (it signs the recent heights again), the observer reads round after
 *   round, and the delay from the lab chain's second signature of the first double-signed height
 *   to the round that shows its evidence, in ms and heights (target: within two heights); then a
 *   cold `stake status` run must show it too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectPath } from '../src/paths.js';
import { loadInventory } from '../src/inventory/load.js';
import { chainObserverFor } from '../src/observe/observer.js';
import { openSession } from '../src/ssh/session.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 5);
const at = process.argv.indexOf('--family');
const FAMILY = at > 0 ? process.argv[at + 1]! : 'cosmos';
if (FAMILY !== 'cosmos' && FAMILY !== 'cardano') throw new Error(`--family cosmos or cardano, not ${FAMILY}`);
const BLOCK_MS = arg('block-time', 500);
const STAKE = projectPath('bin', 'stake');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function stake(args: string[], cwd?: string): { ms: number; out: string; end: number } {
  const started = Date.now();
  const r = spawnSync(STAKE, args, { encoding: 'utf8', cwd, timeout: 600_000 });
  const end = Date.now();
  if (r.status !== 0 && !(args[0] === 'status' && r.status === 1))
    throw new Error(`stake ${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return { ms: end - started, out: r.stdout, end };
}

interface Report {
  chain?: { head: number };
  identities: { equivocations: { height: number }[] }[];
}

const dir = mkdtempSync(join(tmpdir(), 'stake-bench-observer-'));
const inventory = join(dir, 'inventory.yaml');
try {
  stake([
    'lab',
    'up',
    '-i',
    projectPath('inventories', `${FAMILY}.yaml`),
    '--dir',
    dir,
    '--block-time',
    String(BLOCK_MS),
  ]);
  stake(['deploy', '-i', inventory]);
  spawnSync('sleep', ['3']);
  // the observer as status --watch and failover use it: one session, rounds in a row
  const loaded = await loadInventory(inventory);
  const session = openSession(loaded.resolved, inventory, 'watch');
  const observer = chainObserverFor(loaded.resolved, session)!;
  const timed = async () => {
    const started = performance.now();
    const reading = await observer.read();
    return { ms: performance.now() - started, reading };
  };
  const cold = (await timed()).ms;
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await new Promise((r) => setTimeout(r, BLOCK_MS));
    warm.push((await timed()).ms);
  }
  const statusMs = median(
    Array.from({ length: RUNS }, () => stake(['status', '-i', inventory, '--json', '--no-witness-copy'], dir).ms),
  );

  if (FAMILY === 'cardano') {
    await session.close();
    console.log(`chain observer, cardano lab (9 hosts, four relays' Ogmios as sources, one slot every ${BLOCK_MS} ms)`);
    console.log(`  first read (connections, /health, chain-sync from the tip): ${cold.toFixed(0)} ms`);
    console.log(
      `  one round, warm (/health and chain-sync of the new blocks, four sources): ${median(warm).toFixed(0)} ms median of ${RUNS}`,
    );
    console.log(`  stake status of the 9 hosts with it: ${statusMs} ms median of ${RUNS}`);
    spawnSync(STAKE, ['lab', 'down', '--dir', dir], { stdio: 'inherit' });
    process.exit(0); // exit skips the finally: the lab is down already
  }
  // a double sign: the standby gets the key and a fresh state, owned by its client, and its
  // look-back turned off (as rendered, CometBFT refuses to join beside the active host, and so
  // does the lab's)
  const put = [
    "sed -i 's/^double_sign_check_height = .*/double_sign_check_height = 0/' /var/lib/cometbft/config/config.toml",
    'mkdir -p /var/lib/cometbft/data',
    `printf '%s' '{"height":"0","round":0,"step":0}' > /var/lib/cometbft/data/priv_validator_state.json`,
    'cp /var/lib/stake/sealed/cosmoshub/priv_validator_key.json /var/lib/cometbft/config/priv_validator_key.json',
    'chown -R --reference=/var/lib/cometbft/config/config.toml /var/lib/cometbft/data /var/lib/cometbft/config/priv_validator_key.json',
  ].join(' && ');
  stake(['lab', 'ssh', 'val-waw', '--dir', dir, '--', `sudo sh -c '${put.replace(/'/g, `'\\''`)}'`]);
  // watched as --watch does (rounds back to back, warm), and by a cold `stake status` run
  let shownAt: number | undefined;
  let shownHeight: number | undefined;
  for (let i = 0; i < 600 && shownAt === undefined; i++) {
    const { reading } = await timed();
    const first = reading.identity('cosmoshub')?.equivocations[0];
    if (first) {
      shownAt = Date.now();
      shownHeight = first.height;
    }
  }
  await session.close();
  if (shownAt === undefined || shownHeight === undefined) throw new Error('the observer never showed the double sign');
  const cold2 = stake(['status', '-i', inventory, '--json', '--no-witness-copy'], dir);
  const inStatus = (JSON.parse(cold2.out) as Report).identities[0]!.equivocations.some((e) => e.height === shownHeight);
  // the lab chain's log: the second signature of that height is the double sign's moment
  const sigs = readFileSync(join(dir, 'chain', 'signatures.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { height: number; at: string })
    .filter((x) => x.height === shownHeight)
    .map((x) => Date.parse(x.at))
    .sort((a, b) => a - b);
  const second = sigs[1];
  if (second === undefined) throw new Error(`the lab chain has no second signature at ${shownHeight}`);
  const delay = shownAt - second;

  console.log(`chain observer, cosmos lab (9 hosts, four sentries as sources, one height every ${BLOCK_MS} ms)`);
  console.log(`  first read (connections, status and set, the last 50 blocks): ${cold.toFixed(0)} ms`);
  console.log(
    `  one round, warm (status and the new blocks of four sources; the set every 30 s): ${median(warm).toFixed(0)} ms median of ${RUNS}`,
  );
  console.log(`  stake status of the 9 hosts with it: ${statusMs} ms median of ${RUNS}`);
  console.log(
    `  double sign to the observer showing it: ${delay} ms = ${(delay / BLOCK_MS).toFixed(1)} heights (target: within 2 heights); a cold stake status run shows it too: ${inStatus ? 'yes' : 'NO'}`,
  );
} finally {
  spawnSync(STAKE, ['lab', 'down', '--dir', dir], { stdio: 'inherit' });
}
