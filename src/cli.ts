/**
 * The command line: flags are declared here with commander, each command's code is imported
 * only when that command runs (so `stake --version` loads almost nothing), and one handler
 * turns every failure into the documented exit code, without a stack trace unless
 * STAKE_DEBUG=1.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, type ExitCode } from './exit-codes.js';
import type { Terminal } from './output/terminal.js';
import { projectPath } from './paths.js';
import { parseDuration as parseDurationText } from './failover/plan.js';

interface GlobalOptions {
  inventory: string;
  json: boolean;
  color: boolean;
  verbose: number;
}

/** One line per command for `stake --help`: what it does is the summary, this is how to call it. */
const EXAMPLES: [string, string][] = [
  ['stake validate -i inventories/cosmos.yaml', 'check an inventory: schema and topology rules'],
  ['stake validate --strict --json', 'warnings fail too; findings as data'],
  ['stake hosts -i inventories/ethereum.yaml', 'the hosts by tier and datacenter, with their roles'],
  ['stake render --out rendered/ --host val-fra', 'the files each host needs, with a manifest'],
  ['stake graph --format dot | dot -Tsvg > topology.svg', 'the topology as a picture'],
  ['stake trust val-fra', "check a host's SSH key fingerprint and trust it"],
  ['stake plan --limit validator', 'what deploy would change on the validators'],
  ['stake deploy --limit sentry', 'apply the plan: rolling, health-checked, rolled back on failure'],
  ['stake firewall explain val-fra', "why each rule of a host's firewall exists"],
  ['stake status --watch', 'the on-call view of every host and identity, redrawn in place'],
  ['stake lab up -i inventories/cosmos.yaml', 'a local lab: real sshd hosts and a simulated chain'],
];

function version(): string {
  try {
    return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function main(argv: readonly string[]): Promise<ExitCode> {
  // `stake hosts | head`: a reader that goes away is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  let term: Terminal | undefined;
  let exitCode: ExitCode = EXIT.ok;

  /** Builds the terminal from the global flags and runs a lazily imported command; positional arguments arrive as `args`. */
  const run =
    (load: (opts: GlobalOptions & Record<string, unknown> & { args: string[] }, t: Terminal) => Promise<ExitCode>) =>
    async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const opts = {
        ...command.optsWithGlobals<GlobalOptions & Record<string, unknown>>(),
        args: command.processedArgs as string[],
      };
      const { makeTerminal, colorWanted } = await import('./output/terminal.js');
      term = makeTerminal({ json: opts.json, color: colorWanted(opts.color, opts.json), verbose: opts.verbose });
      exitCode = await load(opts, term);
    };

  const program = new Command()
    .name('stake')
    .description(
      'Validate, render, deploy and fail over multi-tier validator infrastructure (cosmos, ethereum, cardano).',
    )
    .version(version(), '-V, --version', 'print the version')
    .addOption(
      new Option('-i, --inventory <file>', 'the inventory file').env('STAKE_INVENTORY').default('./inventory.yaml'),
    )
    .option('--json', 'one JSON document on stdout, no colour, no progress', false)
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .option('-v, --verbose', 'more detail; repeat for more', (_: string, previous: number) => previous + 1, 0)
    .showSuggestionAfterError(true)
    .showHelpAfterError("(run 'stake --help' for usage)")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .addHelpText(
      'after',
      `\nExamples:\n${EXAMPLES.map(([cmd, what]) => `  $ ${cmd.padEnd(48)} # ${what}`).join('\n')}\n\nExit codes: 0 ok, 1 failed, 2 usage, 3 invalid inventory, 4 refused by a safety guard, 5 hosts unreachable, 130 interrupted.\nDocs: docs/README.md`,
    );

  program
    .command('validate')
    .summary('check an inventory against the schema and topology rules')
    .description(
      'Check an inventory against the schema and the topology rules, reporting every finding at once.\n\nExample: stake validate -i inventories/cosmos.yaml --strict',
    )
    .option('--strict', 'treat warnings as errors', false)
    .action(
      run(async (opts, t) => {
        const { validate } = await import('./commands/validate.js');
        return validate({ inventory: opts.inventory, strict: Boolean(opts.strict) }, t);
      }),
    );

  program
    .command('hosts')
    .summary('list the hosts by tier and datacenter, with their roles')
    .description(
      'List the hosts by tier and datacenter: name, tier, dc, address, client and active/standby role.\n\nExample: stake hosts -i inventories/ethereum.yaml --json',
    )
    .action(
      run(async (opts, t) => {
        const { hosts } = await import('./commands/hosts.js');
        return hosts({ inventory: opts.inventory }, t);
      }),
    );

  const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)];
  program
    .command('render')
    .summary('write the client configs, service units, hardening and firewall of each host')
    .description(
      'Render every file each host needs, derived from the topology graph, into OUT/<host>/<path>, with OUT/<host>/manifest.json.\n\nExample: stake render -i inventories/cosmos.yaml --out rendered/ --tier validator',
    )
    .option('-o, --out <dir>', 'where to write', 'rendered')
    .option('--host <names>', 'only these hosts (repeat or comma-separate)', collect, [])
    .option('--tier <tiers>', 'only hosts of these tiers (repeat or comma-separate)', collect, [])
    .option(
      '--templates <dir>',
      'your templates; a file at the same path as a built-in one wins (default: templates/ next to the inventory)',
    )
    .action(
      run(async (opts, t) => {
        const { render } = await import('./commands/render.js');
        return render(
          {
            inventory: opts.inventory,
            out: String(opts.out),
            hosts: opts.host as string[],
            tiers: opts.tier as string[],
            ...(opts.templates ? { templates: String(opts.templates) } : {}),
          },
          t,
        );
      }),
    );

  program
    .command('graph')
    .summary('draw the topology: datacenters, tiers and the flows between hosts')
    .description(
      'Draw the topology computed from the inventory: datacenters as clusters, tiers as shapes, flows as edges.\n\nExample: stake graph --format dot | dot -Tsvg > topology.svg',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'dot', 'mermaid']).default('text'))
    .option('--all', 'include SSH, metrics and loopback flows', false)
    .action(
      run(async (opts, t) => {
        const { graph } = await import('./commands/graph.js');
        return graph(
          { inventory: opts.inventory, format: opts.format as 'text' | 'dot' | 'mermaid', all: Boolean(opts.all) },
          t,
        );
      }),
    );

  /** Whole numbers of at least 1, for counts and seconds: 0 or `abc` is a usage error, not a silent default. */
  const atLeastOne = (what: string) => (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what}: a whole number, at least 1`);
    return n;
  };
  /** The options of every command that works on hosts over SSH (plan, deploy). */
  const overSsh = (command: Command) =>
    command
      .option(
        '--limit <terms>',
        'only hosts whose name, tier or datacenter is one of these (repeat or comma-separate)',
        collect,
        [],
      )
      .option('--parallel <n>', 'hosts at once', atLeastOne('hosts at once'), 20)
      .option('--accept-new', 'accept the host key of a host never seen before (never a changed one)', false)
      .option('-o, --out <file>', 'also save the plan as JSON')
      .option('--templates <dir>', 'your templates (default: templates/ next to the inventory)');

  overSsh(
    program
      .command('plan')
      .summary('what deploy would change on each host: files to create, change or delete, services to restart')
      .description(
        'Gather facts from each host over SSH (file hashes, service states, cometbft node ids), compare them with the render, and print what deploy would change. Changes nothing.\n\nExample: stake plan -i prod/inventory.yaml --limit validator',
      ),
  )
    .option('--diff', 'show unified diffs of changed files (secrets masked)', false)
    .action(
      run(async (opts, t) => {
        const { plan } = await import('./commands/plan.js');
        return plan(
          {
            inventory: opts.inventory,
            limit: opts.limit as string[],
            diff: Boolean(opts.diff),
            parallel: Number(opts.parallel),
            acceptNew: Boolean(opts.acceptNew),
            ...(opts.out ? { out: String(opts.out) } : {}),
            ...(opts.templates ? { templates: String(opts.templates) } : {}),
          },
          t,
        );
      }),
    );

  overSsh(
    program
      .command('deploy')
      .summary('apply the plan: atomic uploads, rolling restarts with health checks, rollback of a failed host')
      .description(
        "Apply what `stake plan` shows. Reads each identity's live generation first and refuses a stale inventory (exit 4). Files are staged, checked and renamed into place; the previous version is kept. Order: signers, then sentries/relays/beacons, then validators, never two upstreams of one identity at once; each restarted service must answer its health check. A failure stops the rollout and rolls that host back.\n\nExample: stake deploy -i prod/inventory.yaml --limit fra1",
      ),
  )
    .option('--dry-run', 'print the plan and change nothing (= stake plan)', false)
    .option(
      '--health-timeout <seconds>',
      'how long a restarted service has to answer on its port',
      atLeastOne('seconds'),
      60,
    )
    .option(
      '--firewall-timeout <seconds>',
      'a new ruleset reverts by itself after this long unless a new SSH connection got in',
      atLeastOne('seconds'),
      60,
    )
    .action(
      run(async (opts, t) => {
        const { deploy } = await import('./commands/deploy.js');
        return deploy(
          {
            inventory: opts.inventory,
            limit: opts.limit as string[],
            parallel: Number(opts.parallel),
            acceptNew: Boolean(opts.acceptNew),
            dryRun: Boolean(opts.dryRun),
            healthTimeoutSeconds: Number(opts.healthTimeout),
            firewallRevertSeconds: Number(opts.firewallTimeout),
            ...(opts.out ? { out: String(opts.out) } : {}),
            ...(opts.templates ? { templates: String(opts.templates) } : {}),
          },
          t,
        );
      }),
    );

  program
    .command('trust')
    .argument('<host>', 'the host whose key to trust')
    .summary("show a host's SSH key fingerprint and add it to known_hosts once confirmed")
    .description(
      "Connect to a host far enough to see its SSH host key, show the fingerprint, and append it to the inventory's known_hosts once you confirm (or with --yes). A changed key is refused.\n\nExample: stake trust val-fra -i inventories/cosmos.yaml",
    )
    .option('-y, --yes', 'trust without asking (after checking the fingerprint yourself)', false)
    .action(
      run(async (opts, t) => {
        const { trust } = await import('./commands/trust.js');
        return trust({ inventory: opts.inventory, host: opts.args[0] ?? '', yes: Boolean(opts.yes) }, t);
      }),
    );

  program
    .command('status')
    .summary(
      'the on-call view: every host (reachable, services, version, height, sync, peers, drift) and identity (live host, generation, last signed, other signers)',
    )
    .description(
      "One screen for the whole deployment. Per host: reachable over SSH, each service up or down, the client's version (the pin, when the installed binary is the pinned one), height and sync state and peers (from the client's own metrics endpoint, read on the host), and drift (files that differ from the render). Per identity: the live active host and generation (from the quorum's records), the last signed height and by whom, and any other host running a signer with the key: a red alarm. Each run also refreshes the witness's copy of the live active host's signing state, which `stake failover --old-host-dead` carries. Exit 1 when an identity has an alarm, 5 when only hosts are unreachable.\n\nExamples:\n  stake status -i prod/inventory.yaml\n  stake status --watch --interval 5\n  stake status --json | jq '.identities[] | {identity, live, lastSigned}'",
    )
    .option('-w, --watch', 'redraw in place until Ctrl-C, keeping the SSH connections open', false)
    .option('--interval <seconds>', 'seconds between refreshes with --watch', atLeastOne('seconds'), 2)
    .option('--parallel <n>', 'hosts at once', atLeastOne('hosts at once'), 256)
    .option('--no-witness-copy', "do not refresh the witness's copy of the signing state")
    .option('--templates <dir>', 'your templates (default: templates/ next to the inventory)')
    .action(
      run(async (opts, t) => {
        const { statusCommand } = await import('./commands/status.js');
        // watching, Ctrl-C ends the loop and closes the connections; otherwise it stops the process as usual
        const stopped = opts.watch
          ? new Promise<void>((resolve) => process.once('SIGINT', () => resolve()))
          : undefined;
        return statusCommand(
          {
            inventory: String(opts.inventory),
            watch: Boolean(opts.watch),
            intervalSeconds: Number(opts.interval),
            parallel: Number(opts.parallel),
            saveWitnessCopy: opts.witnessCopy !== false,
            ...(opts.templates ? { templates: String(opts.templates) } : {}),
          },
          t,
          stopped,
        );
      }),
    );

  const lab = program
    .command('lab')
    .summary('a local lab of real SSH hosts and a simulated chain')
    .description(
      'A local lab built from any inventory: a real sshd per host (in its own network namespace when run as root), throwaway keys, simulated clients and a simulated chain that judges every signature. See docs/lab.md.',
    );
  const labDir = (command: Command) => command.option('--dir <dir>', 'the lab folder', '.stake-lab');
  labDir(
    lab
      .command('up')
      .summary('start a lab of the inventory: sshd hosts, keys, chain, lab inventory')
      .description(
        'Start a lab of the inventory and write DIR/inventory.yaml, the same inventory with lab addresses, roots, init: direct and simulated client binaries. As root with ip netns, each host gets its own network namespace and its firewall is enforced; otherwise hosts are loopback addresses and firewalls are only rendered.\n\nExample: stake lab up -i inventories/cosmos.yaml && stake deploy -i .stake-lab/inventory.yaml',
      ),
  )
    .option('--loopback', 'loopback hosts even where namespaces work (firewalls not enforced)', false)
    .option('--block-time <ms>', 'milliseconds between heights (slots)', atLeastOne('milliseconds'), 500)
    .action(
      run(async (opts, t) => {
        const { labUpCommand } = await import('./commands/lab.js');
        return labUpCommand(
          {
            inventory: opts.inventory,
            dir: String(opts.dir),
            loopback: Boolean(opts.loopback),
            blockTimeMs: Number(opts.blockTime),
          },
          t,
        );
      }),
    );
  labDir(
    lab
      .command('status')
      .summary("the lab's hosts, services, and the chain's verdicts: signatures, missed heights, double signs")
      .description(
        'Show every lab host (sshd, services deploy started, peers, key), the chain height, and per identity: heights signed, by which host last, missed heights and double signs. Exit 1 when something the lab started is gone or any double sign was seen.\n\nExample: stake lab status --json',
      ),
  ).action(
    run(async (opts, t) => {
      const { labStatusCommand } = await import('./commands/lab.js');
      return labStatusCommand({ dir: String(opts.dir) }, t);
    }),
  );
  labDir(
    lab
      .command('down')
      .summary('stop exactly what the lab started and remove it')
      .description(
        'Stop the processes the lab and deploy started (by recorded pid), delete its namespaces by name and remove the lab folder. Safe after a crash and when run twice.\n\nExample: stake lab down',
      ),
  )
    .option('--keep', 'keep the lab folder (logs, chain record, keys)', false)
    .action(
      run(async (opts, t) => {
        const { labDownCommand } = await import('./commands/lab.js');
        return labDownCommand({ dir: String(opts.dir), keep: Boolean(opts.keep) }, t);
      }),
    );

  labDir(
    lab
      .command('verify-firewall')
      .summary(
        'probe every host and port from every host, the internet and the operator; compare with the topology graph',
      )
      .description(
        'Probe every (host, TCP port) of a namespace lab from every other host, from the internet namespace and from the operator, and compare what connects with the flows of the topology graph. Prints the matrix; exit 1 on any mismatch. Run it after stake deploy has loaded the firewalls.\n\nExample: stake lab verify-firewall --json',
      ),
  )
    .option('--timeout <ms>', 'how long a probe waits before calling a port blocked', atLeastOne('milliseconds'), 500)
    .action(
      run(async (opts, t) => {
        const { labVerifyFirewallCommand } = await import('./commands/lab.js');
        return labVerifyFirewallCommand({ dir: String(opts.dir), timeoutMs: Number(opts.timeout) }, t);
      }),
    );

  for (const [name, heal] of [
    ['cut', false],
    ['heal', true],
  ] as const) {
    labDir(
      lab
        .command(name)
        .argument('<host>', 'the lab host')
        .summary(
          heal
            ? "bring a cut lab host's SSH back"
            : "cut a lab host's SSH (its sshd and open connections); its services keep running",
        )
        .description(
          heal
            ? "Start the lab host's sshd again, with its own host key, after stake lab cut.\n\nExample: stake lab heal val-fra"
            : "Stop a lab host's sshd and every SSH connection through it, as a host whose network to the operator failed: its services keep running. For drills and fault tests; stake lab heal brings it back.\n\nExample: stake lab cut val-fra",
        ),
    ).action(
      run(async (opts, t) => {
        const { labCutCommand } = await import('./commands/lab.js');
        return labCutCommand({ dir: String(opts.dir), host: opts.args[0] ?? '', heal }, t);
      }),
    );
  }

  const protection = program
    .command('protection')
    .summary('EIP-3076 slashing protection: check the module, merge interchange files')
    .description('The EIP-3076 slashing-protection module, for operators who move keys by hand.');
  protection
    .command('conformance')
    .argument('<files...>', "test files in the official suite's format")
    .summary('run EIP-3076 interchange test files against this module')
    .description(
      'Run test files in the format of the official EIP-3076 interchange test suite (eth-clients/slashing-protection-interchange-tests) and print pass or fail per file; exit 1 on any failure.\n\nExample: stake protection conformance tests/generated/*.json',
    )
    .action(
      run(async (opts, t) => {
        const { protectionConformance } = await import('./commands/protection.js');
        return protectionConformance({ files: (opts.args as unknown as string[][])[0] ?? [] }, t);
      }),
    );
  protection
    .command('merge')
    .argument('<files...>', 'EIP-3076 interchange files of one chain')
    .option('-o, --out <file>', 'write here (atomically) instead of stdout')
    .summary('merge interchange files: everything any of them signed')
    .description(
      'Merge EIP-3076 interchange files of one chain into one holding every block and attestation any of them signed. Files of different chains are refused (exit 4).\n\nExample: stake protection merge old-host.json new-host.json -o merged.json',
    )
    .action(
      run(async (opts, t) => {
        const { protectionMerge } = await import('./commands/protection.js');
        return protectionMerge(
          { files: (opts.args as unknown as string[][])[0] ?? [], ...(opts.out ? { out: String(opts.out) } : {}) },
          t,
        );
      }),
    );

  const duration = (v: string) => {
    const ms = parseDurationText(v);
    if (ms === undefined || ms < 1000) throw new InvalidArgumentError('a duration such as 30m, 90s or 2h');
    return ms;
  };
  /** Ctrl-C during a failover: the first stops it at the next step boundary (journal and lock kept), a second one at once. */
  const interruptible = () => {
    let pressed = false;
    process.on('SIGINT', () => {
      if (pressed) process.exit(EXIT.interrupted);
      pressed = true;
      process.stderr.write(
        '\nstopping after the current step (Ctrl-C again to stop now; stake failover --resume continues)\n',
      );
    });
    return () => pressed;
  };
  const failoverFlags = (command: Command) =>
    command
      .option(
        '--old-host-dead',
        'the old host cannot be reached: fence it by waiting until the chain shows it silent (part of the approved plan)',
        false,
      )
      .option(
        '--safety-window <heights>',
        'with --old-host-dead: heights without a signature before the old host counts as fenced',
        atLeastOne('heights'),
        20,
      )
      .option('--valid-for <duration>', 'how long the plan (and an approval) stays valid', duration, 30 * 60 * 1000);
  const failoverOptions = (opts: Record<string, unknown>, identity: string) => ({
    inventory: String(opts.inventory),
    identity,
    to: String(opts.to),
    oldHostDead: Boolean(opts.oldHostDead),
    safetyWindow: Number(opts.safetyWindow),
    validForMs: Number(opts.validFor),
    verifyTimeoutMs: Number(opts.verifyTimeout ?? 60) * 1000,
    healthTimeoutSeconds: Number(opts.healthTimeout ?? 60),
  });
  const failover = failoverFlags(
    program
      .command('failover')
      .argument('[identity]', 'the signing identity to move')
      .summary('guarded manual failover: plan, two-operator approval, fence, carry slashing protection, activate')
      .description(
        'Move a signing identity from its live active host to a standby without ever leaving two signers (../shared/spec/failover.md, docs/failover.md). Without --confirm: the plan and a read-only preflight, with the plan code; exit 0 when it could run, 4 when a guard would refuse. With --confirm: runs it after two operators confirm (typed at the terminal, or --approval FILE twice from `stake failover approve`).\n\nExamples:\n  stake failover cosmoshub --to val-waw\n  stake failover cosmoshub --to val-waw --confirm --approval alice.approval --approval bob.approval\n  stake failover --resume',
      ),
  )
    .option('--confirm', 'run it (after two operator confirmations)', false)
    .option('--approval <file>', 'a signed approval (give two, by two operators)', collect, [])
    .option('--resume', 'continue an interrupted failover from its journal', false)
    .option(
      '--verify-timeout <seconds>',
      'how long the target has to sign before step 7 fails',
      atLeastOne('seconds'),
      60,
    )
    .option(
      '--health-timeout <seconds>',
      'how long an activated signer has to answer on its port',
      atLeastOne('seconds'),
      60,
    );
  failover.option('--to <host>', 'the standby to move the identity to (not with --resume)');
  failover.action(
    run(async (opts, t) => {
      const commands = await import('./commands/failover.js');
      const identity = opts.args[0];
      if (opts.resume)
        return commands.failoverResumeCommand(
          {
            inventory: String(opts.inventory),
            ...(identity ? { identity } : {}),
            verifyTimeoutMs: Number(opts.verifyTimeout) * 1000,
            healthTimeoutSeconds: Number(opts.healthTimeout),
          },
          t,
          interruptible(),
        );
      if (!identity)
        throw new (await import('./errors.js')).UsageError(
          'which identity? stake failover IDENTITY --to HOST',
          'or stake failover --resume',
        );
      if (!opts.to)
        throw new (await import('./errors.js')).UsageError('missing --to HOST: the standby to move the identity to');
      const options = failoverOptions(opts, identity);
      if (!opts.confirm) {
        if ((opts.approval as string[]).length)
          throw new (await import('./errors.js')).UsageError('--approval only counts with --confirm');
        return commands.failoverPlanCommand(options, t);
      }
      return commands.failoverConfirmCommand({ ...options, approvals: opts.approval as string[] }, t, interruptible());
    }),
  );
  failoverFlags(
    failover
      .command('approve')
      .argument('<identity>', 'the signing identity to move')
      .summary("sign a failover plan with an operator's key (an OpenSSH signature, namespace stake-failover)")
      .description(
        'Compute the plan as `stake failover IDENTITY --to HOST` does and sign it with your operator key (--key FILE, or the key in ssh-agent matching your operators entry). The file holds the plan text and the signature; `ssh-keygen -Y verify` checks it (docs/failover.md).\n\nExample: stake failover approve cosmoshub --to val-waw --as alice --key ~/.ssh/id_ed25519 -o alice.approval',
      ),
  )
    .requiredOption('--as <operator>', 'your name under operators in the inventory')
    .option('--key <file>', 'your private key file (default: ssh-agent)')
    .option('-o, --out <file>', 'where to write the approval (default failover-IDENTITY-OPERATOR.approval)')
    .action(
      run(async (opts, t) => {
        const { failoverApproveCommand } = await import('./commands/failover.js');
        // --to is failover's own option (commander gives it to the parent), shared with approve
        if (!opts.to)
          throw new (await import('./errors.js')).UsageError(
            'missing --to HOST: the standby the approved plan moves the identity to',
          );
        return failoverApproveCommand(
          {
            ...failoverOptions(opts, opts.args[0] ?? ''),
            as: String(opts.as),
            ...(opts.key ? { key: String(opts.key) } : {}),
            ...(opts.out ? { out: String(opts.out) } : {}),
          },
          t,
        );
      }),
    );

  protection
    .command('check')
    .argument('<files...>', 'EIP-3076 interchange files: the signing history')
    .requiredOption('--pubkey <hex>', 'the validator public key (0x...)')
    .option('--block <slot>', 'a block proposal at this slot')
    .option('--attestation <source:target>', 'an attestation with these source and target epochs')
    .option('--signing-root <hex>', 'its signing root (a re-sign of the same root is not slashable)')
    .summary('would this block or attestation be slashable given the history? exit 0 safe, 4 slashable')
    .description(
      'Import the interchange files and decide whether signing a block or an attestation would be slashable: double proposal, double vote, surround votes, below the low watermarks. Exit 0 when safe, 4 when slashable.\n\nExample: stake protection check export.json --pubkey 0xb845... --attestation 120:121',
    )
    .action(
      run(async (opts, t) => {
        const { protectionCheck } = await import('./commands/protection.js');
        return protectionCheck(
          {
            files: (opts.args as unknown as string[][])[0] ?? [],
            pubkey: String(opts.pubkey),
            ...(opts.block ? { block: String(opts.block) } : {}),
            ...(opts.attestation ? { attestation: String(opts.attestation) } : {}),
            ...(opts.signingRoot ? { signingRoot: String(opts.signingRoot) } : {}),
          },
          t,
        );
      }),
    );
  protection
    .command('export')
    .argument('<files...>', 'EIP-3076 interchange files of one chain')
    .addOption(
      new Option('--form <form>', 'complete: every record; minimal: the highest block and attestation per key')
        .choices(['complete', 'minimal'])
        .default('complete'),
    )
    .option('-o, --out <file>', 'write here (atomically) instead of stdout')
    .summary('the history as one interchange file, complete or minimal')
    .description(
      'Import interchange files and export their history as one EIP-3076 file: complete (every record) or minimal (one block and one attestation per key, which protects the same).\n\nExample: stake protection export a.json b.json --form minimal -o for-import.json',
    )
    .action(
      run(async (opts, t) => {
        const { protectionExport } = await import('./commands/protection.js');
        return protectionExport(
          {
            files: (opts.args as unknown as string[][])[0] ?? [],
            form: opts.form === 'minimal' ? 'minimal' : 'complete',
            ...(opts.out ? { out: String(opts.out) } : {}),
          },
          t,
        );
      }),
    );

  const drill = program
    .command('drill')
    .summary('rehearse: failover drills with a report')
    .description('Rehearsals that produce evidence. See docs/operate.md.');
  drill
    .command('failover')
    .argument('<identity>', 'the signing identity to move back and forth')
    .summary(
      'rounds of real failovers back and forth, each approved with two operator keys; a report in Markdown, JSON and HTML',
    )
    .description(
      "Fail the identity over from its live active host to a standby and back, --rounds times, with the real failover code: each round approved by signatures made with the two operators' keys, the old host brought back by `stake deploy --limit HOST` before the next. Writes DIR/drill.md, drill.json and drill.html (a timeline per round: steps, signing gap, heights signed by which host). Exit 1 on any double sign, a round over its time objective, or a failover that did not complete.\n\nExample: stake drill failover cosmoshub -i .stake-lab/inventory.yaml --operator-key alice=.stake-lab/operators/alice --operator-key bob=.stake-lab/operators/bob --rounds 5 --report drill/",
    )
    .requiredOption(
      '--operator-key <name=file>',
      "an operator's name and private key file (give two)",
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--rounds <n>', 'failovers to run (back and forth)', atLeastOne('rounds'), 2)
    .option('--report <dir>', 'where to write the report (default .stake/drills/IDENTITY-TIME beside the inventory)')
    .option(
      '--objective <duration>',
      "a round's time objective, from confirmation to the end of the failover",
      duration,
      120_000,
    )
    .option(
      '--verify-timeout <seconds>',
      'how long the target has to sign before a failover fails',
      atLeastOne('seconds'),
      60,
    )
    .option(
      '--health-timeout <seconds>',
      'how long an activated signer has to answer on its port',
      atLeastOne('seconds'),
      60,
    )
    .action(
      run(async (opts, t) => {
        const { drillFailoverCommand } = await import('./commands/drill.js');
        return drillFailoverCommand(
          {
            inventory: String(opts.inventory),
            identity: opts.args[0] ?? '',
            operatorKeys: opts.operatorKey as string[],
            rounds: Number(opts.rounds),
            ...(opts.report ? { report: String(opts.report) } : {}),
            objectiveMs: Number(opts.objective),
            verifyTimeoutMs: Number(opts.verifyTimeout) * 1000,
            healthTimeoutSeconds: Number(opts.healthTimeout),
          },
          t,
        );
      }),
    );

  const keys = program
    .command('keys')
    .summary('signing keys: place them from an offline export, see where they are')
    .description(
      "Signing keys never enter the inventory. `keys push` places an identity's key: active on the live active host, sealed on each standby; `keys status` shows where keys are (never their content).",
    );
  keys
    .command('push')
    .argument('<identity>', 'the signing identity')
    .option(
      '--file <file>',
      'a key file (repeat for each: cosmos priv_validator_key.json; ethereum client.crt, client.key; cardano kes.skey, vrf.skey, node.cert)',
      collect,
      [],
    )
    .option('--dir <dir>', 'a folder holding the key files by those names')
    .summary("place an identity's key: active on the live active host, sealed on the standbys")
    .description(
      "Place an identity's key files from an offline export: at the client's path on the live active host (from the generation, not the file), and sealed (mode 0400, where the client never reads them) on each standby. A different key already in place is refused (exit 4), never replaced.\n\nExample: stake keys push cosmoshub --file /media/offline/priv_validator_key.json",
    )
    .action(
      run(async (opts, t) => {
        const { keysPushCommand } = await import('./commands/keys.js');
        return keysPushCommand(
          {
            inventory: String(opts.inventory),
            identity: opts.args[0] ?? '',
            files: opts.file as string[],
            ...(opts.dir ? { dir: String(opts.dir) } : {}),
          },
          t,
        );
      }),
    );
  keys
    .command('status')
    .summary("where each identity's key is active, sealed or missing")
    .description(
      'For each identity and validator host: the key active, sealed, both or missing, and the live active host; an active key on any other host is an alarm (exit 1).\n\nExample: stake keys status --json',
    )
    .action(
      run(async (opts, t) => {
        const { keysStatusCommand } = await import('./commands/keys.js');
        return keysStatusCommand({ inventory: String(opts.inventory) }, t);
      }),
    );

  const firewall = program
    .command('firewall')
    .summary("explain a host's firewall rules")
    .description('Firewall rules derived from the topology graph.');
  firewall
    .command('explain')
    .argument('<host>', 'the host whose ruleset to explain')
    .summary('each rule of a host with the flow and inventory lines that cause it')
    .description(
      "Show each rule of a host's nftables ruleset with the flow it allows and the inventory lines that cause it.\n\nExample: stake firewall explain val-fra -i inventories/cosmos.yaml",
    )
    .action(
      run(async (opts, t) => {
        const { firewallExplain } = await import('./commands/firewall-explain.js');
        return firewallExplain({ inventory: opts.inventory, host: opts.args[0] ?? '' }, t);
      }),
    );

  try {
    await program.parseAsync(argv as string[]);
    return exitCode;
  } catch (err) {
    return handleError(err, term);
  }
}

/** The one place failures become exit codes and messages. */
async function handleError(err: unknown, term: Terminal | undefined): Promise<ExitCode> {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    return EXIT.usage; // commander has printed the message and its suggestion
  }
  const { StakeError, InvalidInventoryError } = await import('./errors.js');
  const json = term?.options.json ?? false;
  const write = (text: string) => (term ? term.note(text) : process.stderr.write(`${text}\n`));
  if (process.env.STAKE_DEBUG === '1' && err instanceof Error) write(err.stack ?? String(err));

  if (err instanceof StakeError) {
    if (json && term) {
      const diagnostics = err instanceof InvalidInventoryError ? err.diagnostics : undefined;
      term.document({
        error: {
          message: err.message,
          hint: err.hint,
          exitCode: err.exitCode,
          ...(diagnostics ? { findings: diagnostics } : {}),
        },
      });
      return err.exitCode;
    }
    if (err instanceof InvalidInventoryError) {
      const { formatDiagnostic } = await import('./output/diagnostics.js');
      const { Chalk } = await import('chalk');
      const style = term?.style ?? new Chalk({ level: 0 });
      const lines = err.source.split('\n');
      for (const d of err.diagnostics.filter((x) => x.severity === 'error'))
        write(`${formatDiagnostic(d, style, lines)}\n`);
    }
    write(`stake: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
    return err.exitCode;
  }
  write(`stake: internal error: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.STAKE_DEBUG !== '1') write('  set STAKE_DEBUG=1 for the stack trace, and please report it');
  return EXIT.failed;
}
