/** The commands that work on the hosts over SSH: plan, deploy, trust, status. */
import {
  DEFAULT_FIREWALL_REVERT_SECONDS,
  DEFAULT_HEALTH_TIMEOUT_SECONDS,
  DEFAULT_PARALLEL,
  DEFAULT_STATUS_PARALLEL,
  DEFAULT_WATCH_INTERVAL_SECONDS,
} from '../../defaults.js';
import { count, flag, many, negatable, value } from '../options.js';
import { defineCommand, type Entry } from '../spec.js';

/** The options of every command that works on hosts over SSH (plan, deploy). */
const OVER_SSH = {
  limit: many(
    '--limit <terms>',
    'only hosts whose name, tier or datacenter is one of these (repeat or comma-separate)',
  ),
  parallel: count('--parallel <n>', 'hosts at once', 'hosts at once', DEFAULT_PARALLEL),
  acceptNew: flag('--accept-new', 'accept the host key of a host never seen before (never a changed one)'),
  out: value('-o, --out <file>', 'also save the plan as JSON'),
  templates: value('--templates <dir>', 'your templates (default: templates/ next to the inventory)'),
};

export const DEPLOY_COMMANDS: Entry[] = [
  defineCommand({
    name: 'plan',
    summary: 'what deploy would change on each host: files to create, change or delete, services to restart',
    description:
      'Gather facts from each host over SSH (file hashes, service states, cometbft node ids), compare them with the render, and print what deploy would change. Changes nothing.\n\nExample: stake plan -i prod/inventory.yaml --limit validator',
    options: { ...OVER_SSH, diff: flag('--diff', 'show unified diffs of changed files (secrets masked)') },
    load: () => import('../../commands/plan.js'),
    run: ({ plan }, opts, _args, t) =>
      plan(
        {
          inventory: opts.inventory,
          limit: opts.limit,
          diff: opts.diff,
          parallel: opts.parallel,
          acceptNew: opts.acceptNew,
          ...(opts.out ? { out: opts.out } : {}),
          ...(opts.templates ? { templates: opts.templates } : {}),
        },
        t,
      ),
  }),

  defineCommand({
    name: 'deploy',
    summary: 'apply the plan: atomic uploads, rolling restarts with health checks, rollback of a failed host',
    description:
      "Apply what `stake plan` shows. Reads each identity's live generation first and refuses a stale inventory (exit 4). Files are staged, checked and renamed into place; the previous version is kept. Order: signers, then sentries/relays/beacons, then validators, never two upstreams of one identity at once; each restarted service must answer its health check. A failure stops the rollout and rolls that host back.\n\nExample: stake deploy -i prod/inventory.yaml --limit fra1",
    options: {
      ...OVER_SSH,
      dryRun: flag('--dry-run', 'print the plan and change nothing (= stake plan)'),
      healthTimeout: count(
        '--health-timeout <seconds>',
        'how long a restarted service has to answer on its port',
        'seconds',
        DEFAULT_HEALTH_TIMEOUT_SECONDS,
      ),
      firewallTimeout: count(
        '--firewall-timeout <seconds>',
        'a new ruleset reverts by itself after this long unless a new SSH connection got in',
        'seconds',
        DEFAULT_FIREWALL_REVERT_SECONDS,
      ),
    },
    load: () => import('../../commands/deploy.js'),
    run: ({ deploy }, opts, _args, t) =>
      deploy(
        {
          inventory: opts.inventory,
          limit: opts.limit,
          parallel: opts.parallel,
          acceptNew: opts.acceptNew,
          dryRun: opts.dryRun,
          healthTimeoutSeconds: opts.healthTimeout,
          firewallRevertSeconds: opts.firewallTimeout,
          ...(opts.out ? { out: opts.out } : {}),
          ...(opts.templates ? { templates: opts.templates } : {}),
        },
        t,
      ),
  }),

  defineCommand({
    name: 'trust',
    arguments: [{ name: '<host>', help: 'the host whose key to trust' }],
    summary: "show a host's SSH key fingerprint and add it to known_hosts once confirmed",
    description:
      "Connect to a host far enough to see its SSH host key, show the fingerprint, and append it to the inventory's known_hosts once you confirm (or with --yes). A changed key is refused.\n\nExample: stake trust val-fra -i inventories/cosmos.yaml",
    options: { yes: flag('-y, --yes', 'trust without asking (after checking the fingerprint yourself)') },
    load: () => import('../../commands/trust.js'),
    run: ({ trust }, opts, [host = ''], t) => trust({ inventory: opts.inventory, host, yes: opts.yes }, t),
  }),

  defineCommand({
    name: 'status',
    summary:
      'the on-call view: every host (reachable, services, version, height, sync, peers, drift) and identity (live host, generation, last signed, other signers)',
    description:
      "One screen for the whole deployment. Per host: reachable over SSH, each service up or down, the client's version (the pin, when the installed binary is the pinned one), height and sync state and peers (from the client's own metrics endpoint, read on the host), and drift (files that differ from the render). Per identity: the live active host and generation (from the quorum's records), the last signed height and by whom, and any other host running a signer with the key: a red alarm. Each run also refreshes the witness's copy of the live active host's signing state, which `stake failover --old-host-dead` carries. Exit 1 when an identity has an alarm, 5 when only hosts are unreachable.\n\nExamples:\n  stake status -i prod/inventory.yaml\n  stake status --watch --interval 5\n  stake status --json | jq '.identities[] | {identity, live, lastSigned}'",
    options: {
      watch: flag('-w, --watch', 'redraw in place until Ctrl-C, keeping the SSH connections open'),
      interval: count(
        '--interval <seconds>',
        'seconds between refreshes with --watch',
        'seconds',
        DEFAULT_WATCH_INTERVAL_SECONDS,
      ),
      parallel: count('--parallel <n>', 'hosts at once', 'hosts at once', DEFAULT_STATUS_PARALLEL),
      witnessCopy: negatable('--no-witness-copy', "do not refresh the witness's copy of the signing state"),
      templates: value('--templates <dir>', 'your templates (default: templates/ next to the inventory)'),
    },
    load: () => import('../../commands/status.js'),
    run: ({ statusCommand }, opts, _args, t) => {
      // watching, Ctrl-C ends the loop and closes the connections; otherwise it stops the process as usual
      const stopped = opts.watch ? new Promise<void>((resolve) => process.once('SIGINT', () => resolve())) : undefined;
      return statusCommand(
        {
          inventory: opts.inventory,
          watch: opts.watch,
          intervalSeconds: opts.interval,
          parallel: opts.parallel,
          saveWitnessCopy: opts.witnessCopy,
          ...(opts.templates ? { templates: opts.templates } : {}),
        },
        t,
        stopped,
      );
    },
  }),
];
