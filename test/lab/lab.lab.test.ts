/**
 * `stake lab` end to end, through the real CLI: real sshd hosts (in network namespaces where this
 * machine allows them), `stake deploy` installing the simulated clients, and the lab chain's
 * verdicts. Each lab lives in its own temporary folder and is taken down by `stake lab down`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netnsUnavailable } from '../../src/lab/netns.js';
import { isRunning } from '../../src/lab/processes.js';
import type { LabStatus } from '../../src/lab/status.js';
import type { LabState } from '../../src/lab/state.js';
import { writeDurably } from '../../src/files.js';
import { waitFor } from '../../src/wait.js';
import { runStake } from '../support/helpers.js';
import { NODE_KEY_PATH } from '../../src/render/host-secrets.js';
import { JWT_PATH } from '../../src/render/clients/ethereum/common.js';
import { COMETBFT_HOME } from '../../src/render/clients/cometbft.js';
import { nodeIdFromNodeKey } from '../../src/render/node-ids.js';
import { upLab, type TestLab } from '../support/lab-process.js';
import { asRootOn, hostProcess, isSystemdLab, lookBackOff, serviceLog } from '../support/lab-hosts.js';
import { sshdUnavailable } from '../support/sshd.js';
import { apiScript, parseApiAnswers } from '../../src/observe/http-on-host.js';
import {
  chainSyncMessages,
  OGMIOS_PORT,
  ogmiosHealthRequest,
  ogmiosQuery,
  parseNextBlock,
  type OgmiosBlock,
  parseHealth,
  parseOperationalCertificates,
  poolIdOf,
} from '../../src/observe/ogmios.js';
import { shq } from '../../src/ssh/shell.js';
import { parseWsConversation, wsScript } from '../../src/observe/ws-on-host.js';
import { labBlockId } from '../../src/lab/sim/ogmios-api.js';

const skip = sshdUnavailable();
const noNetns = skip ?? netnsUnavailable();
const BLOCK_MS = 200;

const stateOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabState;
const status = (dir: string) => {
  const r = runStake(['lab', 'status', '--dir', dir, '--json']);
  return { code: r.code, status: JSON.parse(r.stdout) as LabStatus };
};
const namespacesOfSlot = (slot: number) =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.startsWith(`stake-lab${slot}-`) || l.startsWith(`stake-lab${slot}.`));

/** Polls the lab until the check passes; fails with the last chain summary after the deadline. */
async function waitForLab(
  dir: string,
  what: string,
  check: (s: LabStatus) => boolean,
  timeoutMs = 20_000,
): Promise<LabStatus> {
  let last: LabStatus | undefined;
  const checked = () => {
    last = status(dir).status;
    return check(last) && last;
  };
  return waitFor(checked, { timeoutMs, what, intervalMs: 300, lastSeen: () => JSON.stringify(last?.chain.summary) });
}

const identityOf = (s: LabStatus) => s.chain.summary!.identities[0]!;

describe('stake lab up and down', { skip }, () => {
  // on the hosts lab up chooses (systemd where they run), and on process hosts, which keep tests of their own
  for (const hosts of ['auto', 'process'] as const)
    test(`up, up again, a crash, down and down again: nothing of the lab is left behind (--hosts ${hosts})`, async () => {
      const lab = upLab('cosmos', mkdtempSync(join(tmpdir(), 'stake-lab-t-')), [
        '--block-time',
        String(BLOCK_MS),
        '--hosts',
        hosts,
      ]);
      const { dir, up } = lab;
      try {
        assert.equal(up.code, 0, up.stderr);
        const first = stateOf(dir);
        const processes = [first.chain.process!, ...first.hosts.map(hostProcess)];
        assert.ok(processes.every(isRunning));
        if (!noNetns)
          assert.equal(
            namespacesOfSlot(first.slot).length,
            first.hosts.length + 2,
            'a namespace per host, the internet and the switch',
          );
        else assert.match(up.stdout, /firewalls are NOT enforced/);

        const again = lab.again([]);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stderr, /already up/);
        assert.deepEqual(stateOf(dir).chain.process, first.chain.process, 'up twice starts nothing new');

        // a crash: the chain and one host die
        process.kill(first.chain.process!.pid, 'SIGKILL');
        // (a systemd host's nspawn killed alone leaves its container's init behind: down must find it)
        process.kill(hostProcess(first.hosts[2]!).pid, 'SIGKILL');
        const killed = [first.chain.process!, hostProcess(first.hosts[2]!)];
        await waitFor(() => !killed.some(isRunning), {
          timeoutMs: 10_000,
          what: 'the killed chain and host to be gone',
        });
        const broken = status(dir);
        assert.equal(broken.code, 1);
        assert.ok(broken.status.problems.some((p) => p.includes('chain')));
        const healed = lab.again();
        assert.equal(healed.code, 0, healed.stderr);
        assert.match(healed.stderr, /broken/);
        const second = stateOf(dir);
        assert.equal(status(dir).code, 0);

        const down = lab.down();
        assert.equal(down.code, 0, down.stderr);
        for (const p of [...processes, second.chain.process!, ...second.hosts.map(hostProcess)])
          assert.equal(isRunning(p), false, `${p.what} still runs`);
        assert.deepEqual(namespacesOfSlot(second.slot), []);
        assert.equal(existsSync(dir), false);
        const twice = lab.down();
        assert.equal(twice.code, 0);
        assert.match(twice.stdout, /nothing to take down/);
      } finally {
        // after a failure above: stop what is left; the folder goes only once the lab is down
        if (lab.down().code === 0) rmSync(dir, { recursive: true, force: true });
      }
    });
});

for (const family of ['cosmos', 'ethereum', 'cardano'] as const) {
  // One lab per family, its tests in order: each puts back what it changed (the widened rule,
  // the raised watermark, the second signer's key); the double sign, which the chain keeps
  // for good, comes last.
  describe(`a ${family} lab: deploy, then the chain's view`, { skip }, () => {
    let lab: TestLab;
    let dir: string;
    let state: LabState;
    let deployed = '';
    before(() => {
      lab = upLab(family, mkdtempSync(join(tmpdir(), `stake-lab-${family}-`)), ['--block-time', String(BLOCK_MS)]);
      dir = lab.dir;
      assert.equal(lab.up.code, 0, lab.up.stderr);
      state = stateOf(dir);
      const deploy = runStake(['deploy', '-i', join(dir, 'inventory.yaml')], { timeoutMs: 180_000 });
      assert.equal(deploy.code, 0, deploy.stdout + deploy.stderr);
      deployed = deploy.stdout;
    });
    after(() => {
      // a failed down must fail the test, and keep the folder that records what is left to stop
      const down = lab.down();
      assert.equal(down.code, 0, down.stdout + down.stderr);
      assert.equal(existsSync(dir), false);
    });

    test('the active host signs, nobody else does, and no double sign is reported', async () => {
      const s = await waitForLab(
        dir,
        'three signatures',
        (x) => (x.chain.summary?.identities[0]?.signatures ?? 0) >= 3,
      );
      const id = identityOf(s);
      const active = state.identities[0]!.members[0]!;
      assert.equal(id.lastSigner, active);
      assert.deepEqual(Object.keys(id.byHost), [active]);
      assert.equal(s.chain.summary!.doubleSigns, 0);
      assert.equal(status(dir).code, 0);
      for (const h of s.hosts.filter((x) => ['validator', 'sentry', 'relay', 'beacon', 'signer'].includes(x.tier)))
        assert.ok(h.services.length > 0, `${h.name} runs nothing`);
    });

    if (family === 'cardano')
      test("each relay's Ogmios follows its own node: connected, the chain's tip within a few slots, the pool's certificate; none on a block producer", () => {
        const requests = [
          ogmiosHealthRequest('health'),
          ogmiosQuery('certs', 'queryLedgerState/operationalCertificates'),
        ];
        const pool = state.identities[0]!;
        const relays = state.hosts.filter((h) => h.tier === 'relay');
        assert.ok(relays.length > 0);
        for (const h of relays) {
          const script = apiScript({ address: h.addresses[0]!, privateAddress: h.addresses[0]! }, requests);
          // the chain's head before the ask: read after it, a slow login under load would count against the relay
          const head = status(dir).status.chain.summary!.height;
          const r = asRootOn(dir, h.name, () => `bash -c ${shq(script)}`);
          assert.equal(r.code, 0, r.stderr);
          const answers = parseApiAnswers(r.stdout, requests);
          const health = answers.get('health')!;
          assert.ok(!('error' in health), `${h.name}: ${JSON.stringify(health)}`);
          const parsed = parseHealth(health.status, JSON.parse(health.body));
          assert.ok(!('error' in parsed) && parsed.connected, `${h.name}: ${JSON.stringify(parsed)}`);
          assert.ok(
            parsed.tip !== 'origin' && parsed.tip.height >= head - 5,
            `${h.name} at ${JSON.stringify(parsed.tip)}, the chain at ${head}`,
          );
          const certs = answers.get('certs')!;
          assert.ok(!('error' in certs) && certs.status === 200, `${h.name}: ${JSON.stringify(certs)}`);
          const counters = parseOperationalCertificates(JSON.parse(certs.body));
          assert.ok(!('error' in counters));
          assert.deepEqual(
            [...counters.keys()],
            [poolIdOf(pool.coldVerificationKey!)],
            'the pool, by the id the lab inventory names',
          );
          assert.match(
            readFileSync(join(dir, 'inventory.yaml'), 'utf8'),
            new RegExp(`pool_id: ${poolIdOf(pool.coldVerificationKey!)}`),
          );
          // chain-sync over one WebSocket, spoken by the host's own perl: the last ten blocks, each with its issuer
          const from = parsed.tip.height - 10;
          const point = { slot: from, id: labBlockId(from) };
          const sync = asRootOn(dir, h.name, () =>
            wsScript(
              { address: h.addresses[0]!, privateAddress: h.addresses[0]! },
              OGMIOS_PORT,
              chainSyncMessages([point], 11),
            ),
          );
          assert.equal(sync.code, 0, sync.stderr);
          const talk = parseWsConversation(sync.stdout, 12);
          assert.ok('answers' in talk, `${h.name}: ${JSON.stringify(talk)}`);
          const steps = talk.answers.slice(1).map((a) => parseNextBlock(JSON.parse(a)));
          assert.equal((steps[0] as { direction: string }).direction, 'backward');
          const blocks = steps.slice(1).map((x) => (x as { block: OgmiosBlock }).block);
          assert.deepEqual(
            blocks.map((b) => b.height),
            Array.from({ length: 10 }, (_, i) => from + 1 + i),
          );
          // a block is the pool's (issued by its cold key) exactly where the chain recorded the pool's block
          const forged = new Set(
            readFileSync(join(dir, 'chain', 'signatures.ndjson'), 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as { identity: string; height: number })
              .filter((x) => x.identity === pool.name)
              .map((x) => x.height),
          );
          const ours = blocks
            .filter((b) => b.issuer?.poolId === poolIdOf(pool.coldVerificationKey!))
            .map((b) => b.height);
          // (a block holds the signatures the chain had when it committed it, one tick after the slot:
          // one that came later is in the chain's record but not in the block)
          const recorded = blocks.map((b) => b.height).filter((x) => forged.has(x));
          assert.ok(
            ours.every((x) => forged.has(x)) && ours.length >= recorded.length - 1,
            `the pool's blocks ${JSON.stringify(ours)}, the chain's record ${JSON.stringify(recorded)}`,
          );
        }
        for (const h of state.hosts.filter((x) => x.tier === 'validator'))
          assert.equal(
            existsSync(join(h.root, 'etc/systemd/system/stake-ogmios.service')) ||
              existsSync(join(h.root, 'var/lib/stake/bin/ogmios.sh')),
            false,
            `${h.name} runs Ogmios`,
          );
      });

    if (family === 'cardano')
      test('stake status reads the pool through the relays’ Ogmios; a pool without a block yet is a warning, never an alarm', () => {
        const r = runStake(['status', '-i', join(dir, 'inventory.yaml'), '--json'], { timeoutMs: 60_000 });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const report = JSON.parse(r.stdout) as {
          chain?: { what: string; sources: { source: string; error?: string }[] };
          identities: { identity: string; alarms: string[]; warnings: string[]; lastSigned?: number }[];
        };
        assert.match(report.chain!.what, /^the chain \(Ogmios on relay-/);
        assert.deepEqual(
          report.chain!.sources.filter((x) => x.error),
          [],
          'every relay read',
        );
        const pool = report.identities[0]!;
        assert.deepEqual(pool.alarms, []);
        assert.ok(
          pool.lastSigned !== undefined || pool.warnings.some((w) => /only its VRF key knows/.test(w)),
          JSON.stringify(pool),
        );
      });

    if (family !== 'cardano')
      test("the first deploy made each host's secrets on it, never read back: node keys whose ids the configs name, engine JWTs", () => {
        const secret = family === 'cosmos' ? NODE_KEY_PATH : JWT_PATH;
        const holders = state.hosts.filter((h) =>
          (family === 'cosmos' ? ['validator', 'sentry'] : ['beacon']).includes(h.tier),
        );
        assert.ok(holders.length > 0);
        for (const h of holders) {
          const text = readFileSync(join(h.root, secret), 'utf8');
          assert.match(deployed, new RegExp(`secrets: made on ${h.name} \\(never read back\\): ${secret}`));
          if (family === 'ethereum') {
            assert.match(text, /^[0-9a-f]{64}$/);
            assert.ok(!deployed.includes(text), 'the JWT is never printed');
            continue;
          }
          const id = nodeIdFromNodeKey(text);
          const named = holders
            .filter((o) => o !== h)
            .some((o) => readFileSync(join(o.root, COMETBFT_HOME, 'config/config.toml'), 'utf8').includes(`${id}@`));
          assert.ok(named, `the id of ${h.name}'s own key (${id}) is what its peers dial`);
        }
      });

    if (family === 'cosmos') {
      test('verify-firewall: every allowed flow connects, everything else is blocked', { skip: noNetns }, () => {
        const r = runStake(['lab', 'verify-firewall', '--dir', dir]);
        assert.equal(r.code, 0, r.stdout);
        assert.match(r.stdout, /0 mismatches/);
      });

      test('verify-firewall catches a deliberately widened rule', { skip: noNetns }, () => {
        const val = state.hosts.find((h) => h.name === 'val-fra')!;
        const nft = (args: string[]) =>
          spawnSync('ip', ['netns', 'exec', val.netns!, 'nft', ...args], { encoding: 'utf8' });
        assert.equal(nft(['add', 'rule', 'inet', 'stake', 'input', 'tcp', 'dport', '26657', 'accept']).status, 0);
        try {
          const r = runStake(['lab', 'verify-firewall', '--dir', dir, '--json']);
          assert.equal(r.code, 1);
          const report = JSON.parse(r.stdout) as {
            mismatches: number;
            results: { to: string; port: number; ok: boolean; from: string }[];
          };
          const wrong = report.results.filter((x) => !x.ok);
          assert.ok(wrong.length > 0);
          assert.ok(
            wrong.every((x) => x.to === 'val-fra' && x.port === 26657),
            JSON.stringify(wrong.slice(0, 3)),
          );
          assert.ok(wrong.some((x) => x.from === 'internet'));
        } finally {
          assert.equal(nft(['-f', join(val.root, 'etc/stake/nftables.nft')]).status, 0); // the deployed ruleset again
        }
      });

      test('the signer refuses to sign at or below its watermark', async () => {
        const val = state.hosts.find((h) => h.name === 'val-fra')!;
        const stateFile = join(val.root, 'var/lib/cometbft/data/priv_validator_state.json');
        const before = identityOf(status(dir).status);
        // raised under the running node (which reads a raised file: stricter than CometBFT, which
        // keeps its own in memory; a lowered one is not obeyed, so the test never lowers it)
        // far enough ahead that the raise (through `stake lab ssh` on a systemd host) and the reads
        // after it land well before the chain gets there: 20 s of heights (60 were passed once on a
        // loaded machine, four test streams on 2 cores)
        const fence = before.lastHeight! + Math.ceil(20_000 / BLOCK_MS);
        // raised in one rename, and on a systemd host the client's own file from the start (a
        // root-owned file there would be replaced by the client's next write before it read it)
        const raised = JSON.stringify({ height: String(fence), round: 0, step: 3 });
        if (isSystemdLab(dir)) {
          const r = asRootOn(
            dir,
            'val-fra',
            () =>
              `cd ${COMETBFT_HOME}/data && printf '%s' '${raised}' > .raise.tmp && chown cometbft:cometbft .raise.tmp && chmod 0600 .raise.tmp && mv -f .raise.tmp priv_validator_state.json`,
          );
          assert.equal(r.code, 0, r.stderr);
        } else writeDurably(stateFile, raised);
        // eight heights more: eight chances to sign, each of which the watermark must refuse
        // what it had signed once the raise was in place (through lab ssh it takes a moment)
        const landed = identityOf(status(dir).status).lastHeight!;
        const head = status(dir).status.chain.summary!.height;
        await waitForLab(dir, 'eight more heights', (x) => (x.chain.summary?.height ?? 0) >= head + 8);
        const held = identityOf(status(dir).status);
        assert.ok(held.lastHeight! <= landed + 2, `signed up to ${held.lastHeight} with the watermark at ${fence}`);
        assert.match(
          serviceLog(dir, 'val-fra', 'cometbft'),
          new RegExp(`refused to sign height \\d+.*: .*${fence}|watermark at ${fence}`),
        );
        // once the chain passes the watermark it signs again, above it and never at or below
        await waitForLab(dir, 'signing above the watermark', (x) => identityOf(x).lastHeight! > fence, 60_000);
        const signed = readFileSync(join(dir, 'chain', 'signatures.ndjson'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { host: string; height: number; round?: number })
          .filter((x) => x.host === 'val-fra' && x.height > held.lastHeight!);
        // above the watermark (fence, round 0, precommit): a later height, or the fence's height at a
        // later round (a new round is a new vote, as CheckHRS allows)
        assert.ok(
          signed.length > 0 && signed.every((x) => x.height > fence || (x.height === fence && (x.round ?? 0) > 0)),
          JSON.stringify(signed.slice(0, 5)),
        );
      });

      test('a second signer started on purpose: refused by the look-back, and with it off caught as a double sign', async () => {
        const standby = state.hosts.find((h) => h.name === 'val-waw')!;
        const key = join(standby.root, 'var/lib/cometbft/config/priv_validator_key.json');
        // the standby's own state, as `cometbft init` leaves one on every node (CometBFT does not start without it)
        const standbyState = join(standby.root, 'var/lib/cometbft/data/priv_validator_state.json');
        if (!existsSync(standbyState)) writeDurably(standbyState, '{"height":"0","round":0,"step":0}\n');
        copyFileSync(join(dir, 'keys', 'cosmoshub', 'priv_validator_key.json'), key);
        // on a systemd host the client runs as its own user: the key put there on purpose is given to it
        if (isSystemdLab(dir)) {
          const owned = asRootOn(
            dir,
            'val-waw',
            () =>
              'chown cometbft:cometbft /var/lib/cometbft/config/priv_validator_key.json /var/lib/cometbft/data /var/lib/cometbft/data/priv_validator_state.json',
          );
          assert.equal(owned.code, 0, owned.stderr);
        }
        try {
          // CometBFT's look-back (double_sign_check_height 10, as rendered) finds the active's
          // signatures in the blocks the standby holds: it will not join consensus, so nothing is signed twice
          const head = status(dir).status.chain.summary!.height;
          await waitForLab(dir, 'five more heights', (x) => (x.chain.summary?.height ?? 0) >= head + 5);
          assert.equal(status(dir).status.chain.summary!.doubleSigns, 0, 'the look-back kept the copy from signing');
          assert.match(
            serviceLog(dir, 'val-waw', 'cometbft'),
            /would not start: found signature from the same key at height \d+/,
          );
          // with the look-back turned off by hand, the copy signs beside the active
          const off = lookBackOff(dir, 'val-waw');
          assert.equal(off.code, 0, off.stderr);
          const s = await waitForLab(dir, 'a double sign', (x) => (x.chain.summary?.doubleSigns ?? 0) >= 1);
          const d = identityOf(s).doubleSigns[0]!;
          assert.deepEqual([...d.hosts].sort(), ['val-fra', 'val-waw']);
          assert.equal(status(dir).code, 1, 'status fails once a double sign was seen');
        } finally {
          rmSync(key, { force: true });
        }
      });
    }
  });
}
