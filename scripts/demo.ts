/**
 * `npm run demo`: the README's main job on the embedded lab, narrated. A lab of the cosmos
 * example comes up, the lab inventory is validated, rendered and deployed for real over SSH, the
 * simulated chain shows the validator signing with zero double signs, two operators fail it over
 * to the standby, and the lab goes down again, whatever happened on the way.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';

const STAKE = projectPath('bin', 'stake');
const dir = mkdtempSync(join(tmpdir(), 'stake-demo-'));
const inventory = join(dir, 'inventory.yaml');
const started = Date.now();
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function say(text: string): void {
  process.stdout.write(`\n${bold(`── ${text}`)}\n`);
}

function stake(args: string[], what: string): void {
  process.stdout.write(`$ stake ${args.join(' ').replaceAll(dir, '$LAB')}\n`);
  const r = spawnSync(STAKE, args, { stdio: 'inherit', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal})`);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  say(
    '1. A lab of the cosmos example: its 9 hosts Debian machines under systemd (where they can run), throwaway keys, a simulated chain',
  );
  stake(['lab', 'up', '-i', projectPath('inventories', 'cosmos.yaml'), '--dir', dir, '--block-time', '500'], 'lab up');

  say('2. The lab inventory is the example with lab addresses: it passes the same checks');
  stake(['validate', '-i', inventory], 'validate');

  say('3. Render: configs, launch scripts and firewall rules for every host, from one topology graph');
  stake(['render', '-i', inventory, '--out', join(dir, 'rendered')], 'render');

  say('4. Deploy over SSH through the bastion: signers first, sentries one by one, then the validators');
  stake(['deploy', '-i', inventory], 'deploy');

  say('5. The chain at work: the active validator signs each height above its watermark');
  await pause(4000);
  stake(['lab', 'status', '--dir', dir], 'status');
  say("   and the on-call view: every host's services, versions, heights, peers and drift; who signs");
  stake(['status', '-i', inventory], 'stake status');

  if (process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0) {
    say('6. Every firewall checked from every host and from the internet against the graph');
    stake(['lab', 'verify-firewall', '--dir', dir], 'verify-firewall');
  }

  say('7. A guarded failover to the standby: the plan and its preflight, changing nothing');
  stake(['failover', 'cosmoshub', '--to', 'val-waw', '-i', inventory], 'failover plan');

  say('8. Two operators sign it with their own keys (OpenSSH signatures), and it runs');
  const approvals = ['alice', 'bob'].map((name) => {
    const file = join(dir, `${name}.approval`);
    stake(
      [
        'failover',
        'approve',
        'cosmoshub',
        '--to',
        'val-waw',
        '--as',
        name,
        '--key',
        join(dir, 'operators', name),
        '-o',
        file,
        '-i',
        inventory,
      ],
      `approval by ${name}`,
    );
    return file;
  });
  stake(
    [
      'failover',
      'cosmoshub',
      '--to',
      'val-waw',
      '--confirm',
      ...approvals.flatMap((a) => ['--approval', a]),
      '-i',
      inventory,
    ],
    'failover',
  );
  await pause(2000);
  stake(['status', '-i', inventory], 'stake status');

  say('9. Bring val-fra back as a standby, then a drill: 5 failovers back and forth, each approved with both keys');
  stake(['deploy', '-i', inventory, '--limit', 'val-fra'], 'deploy --limit val-fra');
  const report = join(dir, 'drill');
  stake(
    [
      'drill',
      'failover',
      'cosmoshub',
      '-i',
      inventory,
      '--operator-key',
      `alice=${join(dir, 'operators', 'alice')}`,
      '--operator-key',
      `bob=${join(dir, 'operators', 'bob')}`,
      '--rounds',
      '5',
      '--report',
      report,
    ],
    'drill',
  );
  const kept = join(process.cwd(), 'drill-report.html');
  copyFileSync(join(report, 'drill.html'), kept);
  say(`   the drill's report, with a timeline per round: ${kept}`);
}

main()
  .then(() =>
    say(
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Next: stake lab up -i inventories/ethereum.yaml, then stake deploy -i .stake-lab/inventory.yaml`,
    ),
  )
  .catch((err: Error) => {
    process.stderr.write(`\ndemo: ${err.message}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    say('The lab goes down: every process and namespace it made');
    spawnSync(STAKE, ['lab', 'down', '--dir', dir], { stdio: 'inherit' });
    rmSync(dir, { recursive: true, force: true });
  });
