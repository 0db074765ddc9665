/**
 * `npm run bench:deploy -- --hosts 50`: starts N real sshd hosts on loopback and, in one run,
 * measures side by side:
 * - `stake deploy`, first (every host empty) and no-op (nothing changed);
 * - `ansible-playbook` doing the same work (copy each host's rendered files and the client
 *   binary, restart the service when they changed, wait for its port), at its fastest fair
 *   setting: forks = hosts, pipelining on, no fact gathering;
 * - the floor: one plain OpenSSH `ssh` per host, all in parallel, unpacking the host's files.
 * Then the peak memory of `stake deploy` at --memory-hosts hosts (default 200).
 * Every host is a cosmos host of an identity with two sentries, an active, a standby and a
 * witness; cometbft is a Python stand-in that listens on its p2p port.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../src/paths.js';
import { servicePort, startTestHosts, stopServices, type TestHosts } from '../test/support/sshd.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const HOSTS = arg('hosts', 50);
const RUNS = arg('runs', 3);
const ANSIBLE_RUNS = arg('ansible-runs', 1);
const MEMORY_HOSTS = arg('memory-hosts', 200);
const STAKE = projectPath('bin', 'stake');
const STANDIN = projectPath('bench', 'fixtures', 'standin-cometbft.py');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ROLES = [
  ['sentry', 'a', 'dc-a'],
  ['sentry', 'b', 'dc-b'],
  ['val', 'a', 'dc-a'],
  ['val', 'b', 'dc-b'],
  ['wit', 'c', 'dc-c'],
] as const;

const hostNames = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const [role, side] = ROLES[i % 5]!;
    return `${role}-${Math.floor(i / 5)}-${side}`;
  });

async function inventoryFor(lab: TestHosts): Promise<string> {
  const sha = createHash('sha256').update(readFileSync(STANDIN)).digest('hex');
  const lines: string[] = [];
  const ids: string[] = [];
  for (const h of lab.hosts) {
    const [role, k, side] = h.name.split('-') as [string, string, string];
    const dc = ROLES.find((r) => r[0] === role && r[1] === side)![2];
    const tier = role === 'sentry' ? 'sentry' : role === 'val' ? 'validator' : 'witness';
    const client =
      tier === 'witness'
        ? ''
        : `client: cometbft, node_id: "${createHash('sha1').update(h.name).digest('hex')}", ports: { p2p: ${await servicePort()} }, `;
    lines.push(
      `  ${h.name}: { tier: ${tier}, dc: ${dc}, ${client}address: ${h.address}, root: ${h.root}, init: direct, firewall: render, ssh: { port: ${h.port} } }`,
    );
    if (role === 'wit')
      ids.push(
        `  id-${k}: { active: val-${k}-a, standby: [val-${k}-b], upstream: [sentry-${k}-a, sentry-${k}-b], witness: wit-${k}-c }`,
      );
  }
  const path = join(lab.dir, 'inventory.yaml');
  writeFileSync(
    path,
    `version: 1
name: bench
chain: { family: cosmos, network: bench-1 }
clients: { cometbft: { version: standin, source: ${STANDIN}, sha256: ${sha} } }
datacenters:
  dc-a: { provider: loopback, country: DE }
  dc-b: { provider: loopback, country: PL }
  dc-c: { provider: loopback, country: NL }
ssh: { user: root, identity: ${lab.clientKey}, known_hosts: ${lab.knownHosts} }
operators:
  alice: { key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFp/dwi4kLVqOyCVJxxvw1Z4InS/KQPLMqzCY2szNnpu alice@ops.example" }
  bob: { key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILOOKOC4ODm9xHdFYUi6vULnd9zSSONQlkAuy7gifOhu bob@ops.example" }
hosts:
${lines.join('\n')}
validators:
${ids.join('\n')}
`,
  );
  return path;
}

/** Stops the stand-ins (by their pid files) and empties every host's root: the next deploy is a first one. */
function wipe(lab: TestHosts): void {
  stopServices(lab.hosts.map((h) => h.root));
  for (const h of lab.hosts) {
    for (const entry of readdirSync(h.root)) rmSync(join(h.root, entry), { recursive: true, force: true });
  }
}

function timed(cmd: string, args: string[], env: Record<string, string> = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // BENCH_TRACE=FILE keeps the events of each stake run, to see where the time goes
  if (process.env.BENCH_TRACE && cmd === STAKE) writeFileSync(process.env.BENCH_TRACE, r.stdout, { flag: 'a' });
  if (r.status !== 0) {
    const done = r.stdout
      .split('\n')
      .filter((l) => l.includes('"event":"done"'))
      .map((l) => JSON.parse(l) as { results: { host: string; status: string; reason?: string }[] })[0];
    const bad = done?.results
      .filter((x) => !['deployed', 'unchanged', 'skipped'].includes(x.status))
      .map((x) => `${x.host} ${x.status}: ${x.reason}`)
      .join('\n');
    throw new Error(
      `${cmd} ${args.slice(0, 3).join(' ')}… exited ${r.status}: ${bad || (r.stderr || r.stdout).slice(-2000)}`,
    );
  }
  return ms;
}

/** One plain `ssh` per host, all at once, each unpacking its host's rendered files: what any SSH tool pays at least. */
async function floor(lab: TestHosts, rendered: string): Promise<number> {
  const tars = new Map(
    lab.hosts.map((h) => [h.name, spawnSync('tar', ['-C', join(rendered, h.name), '-c', '.']).stdout]),
  );
  const start = process.hrtime.bigint();
  await Promise.all(
    lab.hosts.map(
      (h) =>
        new Promise<void>((resolve, reject) => {
          const ssh = spawn(
            'ssh',
            [
              '-q',
              '-i',
              lab.clientKey,
              '-o',
              `UserKnownHostsFile=${lab.knownHosts}`,
              '-o',
              'StrictHostKeyChecking=yes',
              '-o',
              'KexAlgorithms=curve25519-sha256',
              '-o',
              'BatchMode=yes',
              '-p',
              String(h.port),
              `root@${h.address}`,
              `tar -x -C ${h.root}`,
            ],
            { stdio: ['pipe', 'ignore', 'pipe'] },
          );
          let err = '';
          ssh.stderr.on('data', (d) => (err += d));
          ssh.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${h.name}: ${err}`))));
          ssh.stdin.end(tars.get(h.name));
        }),
    ),
  );
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function ansibleSetup(
  lab: TestHosts,
  inventory: string,
  rendered: string,
): { playbook: string; hostsFile: string; env: Record<string, string> } {
  const dir = join(lab.dir, 'ansible');
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(inventory, 'utf8');
  const p2p = (name: string) =>
    /ports: \{ p2p: (\d+) \}/.exec(text.split('\n').find((l) => l.startsWith(`  ${name}:`)) ?? '')?.[1];
  const hostsFile = join(dir, 'hosts.ini');
  writeFileSync(
    hostsFile,
    [
      '[all]',
      ...lab.hosts.map(
        (h) =>
          `${h.name} ansible_host=${h.address} ansible_port=${h.port} root=${h.root}${p2p(h.name) ? ` p2p=${p2p(h.name)}` : ''}`,
      ),
    ].join('\n') + '\n',
  );
  const playbook = join(dir, 'deploy.yml');
  writeFileSync(
    playbook,
    `- hosts: all
  gather_facts: false
  tasks:
    - name: rendered files
      ansible.builtin.copy: { src: "${rendered}/{{ inventory_hostname }}/", dest: "{{ root }}/" }
      register: files
    - name: binary folder
      ansible.builtin.file: { path: "{{ root }}/usr/local/bin", state: directory }
      when: p2p is defined
    - name: client binary
      ansible.builtin.copy: { src: "${STANDIN}", dest: "{{ root }}/usr/local/bin/cometbft", mode: "0755" }
      when: p2p is defined
      register: binary
    - name: restart what changed
      ansible.builtin.command: "sh {{ root }}/var/lib/stake/bin/cometbft.sh restart"
      when: p2p is defined and (files.changed or binary.changed)
    - name: health
      ansible.builtin.wait_for: { host: 127.0.0.1, port: "{{ p2p }}", timeout: 60 }
      when: p2p is defined and (files.changed or binary.changed)
`,
  );
  const cfg = join(dir, 'ansible.cfg');
  writeFileSync(
    cfg,
    `[defaults]\nforks = ${lab.hosts.length}\nremote_user = root\nprivate_key_file = ${lab.clientKey}\nhost_key_checking = True\ninterpreter_python = /usr/bin/python3\nretry_files_enabled = False\n\n[ssh_connection]\npipelining = True\nssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${lab.knownHosts} -o KexAlgorithms=curve25519-sha256\n`,
  );
  return { playbook, hostsFile, env: { ANSIBLE_CONFIG: cfg, ANSIBLE_STDOUT_CALLBACK: 'minimal' } };
}

function peakRss(args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', STAKE, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`stake ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return Number(r.stderr.trim().split('\n').at(-1)) / 1024;
}

async function main(): Promise<void> {
  const lab = await startTestHosts(hostNames(HOSTS), { firstAddress: 1 });
  try {
    const inventory = await inventoryFor(lab);
    const rendered = join(lab.dir, 'rendered');
    timed(STAKE, ['render', '-i', inventory, '--out', rendered]);
    const deployArgs = ['deploy', '-i', inventory, '--parallel', String(HOSTS), '--json'];
    const first: number[] = [];
    const noop: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      wipe(lab);
      first.push(timed(STAKE, deployArgs));
      noop.push(timed(STAKE, deployArgs));
    }
    const floors: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      wipe(lab);
      floors.push(await floor(lab, rendered));
    }
    const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0;
    const aFirst: number[] = [];
    const aNoop: number[] = [];
    if (hasAnsible) {
      const a = ansibleSetup(lab, inventory, rendered);
      for (let i = 0; i < ANSIBLE_RUNS; i++) {
        wipe(lab);
        aFirst.push(timed('ansible-playbook', ['-i', a.hostsFile, a.playbook], a.env));
        aNoop.push(timed('ansible-playbook', ['-i', a.hostsFile, a.playbook], a.env));
      }
    }
    wipe(lab);
    const f = median(first);
    const n = median(noop);
    const fl = median(floors);
    const af = median(aFirst);
    const an = median(aNoop);
    const row = (name: string, ms: number, note: string) =>
      console.log(
        `${name.padEnd(34)} ${Number.isFinite(ms) ? `${(ms / 1000).toFixed(2).padStart(7)} s` : '      -  '}   ${note}`,
      );
    console.log(
      `bench:deploy  ${HOSTS} sshd hosts on loopback, this machine; medians of ${RUNS} (ansible: ${ANSIBLE_RUNS})`,
    );
    row('ssh floor (1 ssh per host, tar)', fl, '(anchor)');
    row(
      'stake deploy, first',
      f,
      `${(f / fl).toFixed(1)}x the floor (target <= 2x: ${f <= 2 * fl ? 'ok' : 'MISSED'})${hasAnsible ? `; Ansible/stake ${(af / f).toFixed(1)}x (target >= 10x: ${af >= 10 * f ? 'ok' : 'MISSED'})` : ''}`,
    );
    row(
      'stake deploy, no-op',
      n,
      `${(n / fl).toFixed(1)}x the floor${hasAnsible ? `; Ansible/stake ${(an / n).toFixed(1)}x (target >= 20x: ${an >= 20 * n ? 'ok' : 'MISSED'})` : ''}`,
    );
    if (hasAnsible) {
      row('ansible-playbook, first', af, `forks ${HOSTS}, pipelining, no facts`);
      row('ansible-playbook, no-op', an, '');
    } else {
      console.log('ansible-playbook: not installed (apt-get install ansible-core) — no Ansible figures');
    }
  } finally {
    wipe(lab);
    await lab.stop();
  }
  if (MEMORY_HOSTS > 0) {
    const big = await startTestHosts(hostNames(MEMORY_HOSTS), { firstAddress: 1 });
    try {
      const inventory = await inventoryFor(big);
      const args = ['deploy', '-i', inventory, '--parallel', String(MEMORY_HOSTS), '--json'];
      const firstMb = peakRss(args);
      const noopMb = peakRss(args);
      console.log(
        `peak memory of stake deploy at ${MEMORY_HOSTS} hosts: first ${firstMb.toFixed(0)} MB, no-op ${noopMb.toFixed(0)} MB (target < 400 MB: ${Math.max(firstMb, noopMb) < 400 ? 'ok' : 'MISSED'})`,
      );
    } finally {
      wipe(big);
      await big.stop();
    }
  }
}

await main();
