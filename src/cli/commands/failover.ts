/** `stake failover` (and `failover approve`) and `stake drill failover`. */
import {
  DEFAULT_DRILL_OBJECTIVE_MS,
  DEFAULT_DRILL_ROUNDS,
  DEFAULT_HEALTH_TIMEOUT_SECONDS,
  DEFAULT_SAFETY_WINDOW,
  DEFAULT_VALID_FOR_MS,
  DEFAULT_VERIFY_TIMEOUT_SECONDS,
} from '../../defaults.js';
import { EXIT } from '../../exit-codes.js';
import { count, flag, many, milliseconds, required, value } from '../options.js';
import { defineCommand, defineGroup, type Entry } from '../spec.js';

const load = () => import('../../commands/failover.js');
const usage = async (message: string, hint?: string) => new (await import('../../errors.js')).UsageError(message, hint);

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

/** What the plan (and so an approval) says besides identity and target: failover's and approve's first options. */
const PLAN_OPTIONS = {
  oldHostDead: flag(
    '--old-host-dead',
    'the old host cannot be reached: fence it by waiting until the chain shows it silent (part of the approved plan)',
  ),
  safetyWindow: count(
    '--safety-window <heights>',
    'with --old-host-dead: heights without a signature before the old host counts as fenced',
    'heights',
    DEFAULT_SAFETY_WINDOW,
  ),
  atSafeWindow: flag(
    '--at-safe-window',
    "ethereum: wait, before fencing, for a window in which none of the identity's validators is to propose a block (within the plan's validity; part of the approved plan)",
  ),
  validFor: milliseconds(
    '--valid-for <duration>',
    'how long the plan (and an approval) stays valid',
    DEFAULT_VALID_FOR_MS,
  ),
};

/** Failover's own options after PLAN_OPTIONS; approve reads the timeouts and --to from its parent. */
const RUN_OPTIONS = {
  verifyTimeout: count(
    '--verify-timeout <seconds>',
    'how long the target has to sign before step 7 fails',
    'seconds',
    DEFAULT_VERIFY_TIMEOUT_SECONDS,
  ),
  healthTimeout: count(
    '--health-timeout <seconds>',
    'how long an activated signer has to answer on its port',
    'seconds',
    DEFAULT_HEALTH_TIMEOUT_SECONDS,
  ),
};
const TO = { to: value('--to <host>', 'the standby to move the identity to (not with --resume)') };

interface PlanValues {
  inventory: string;
  to: string | undefined;
  oldHostDead: boolean;
  safetyWindow: number;
  atSafeWindow: boolean;
  validFor: number;
  verifyTimeout: number;
  healthTimeout: number;
}
const failoverOptions = (opts: PlanValues, identity: string) => ({
  inventory: opts.inventory,
  identity,
  to: String(opts.to),
  oldHostDead: opts.oldHostDead,
  safetyWindow: opts.safetyWindow,
  atSafeWindow: opts.atSafeWindow,
  validForMs: opts.validFor,
  verifyTimeoutMs: opts.verifyTimeout * 1000,
  healthTimeoutSeconds: opts.healthTimeout,
});

export const FAILOVER_COMMANDS: Entry[] = [
  defineCommand({
    name: 'failover',
    arguments: [{ name: '[identity]', help: 'the signing identity to move' }],
    summary: 'guarded manual failover: plan, two-operator approval, fence, carry slashing protection, activate',
    description:
      'Move a signing identity from its live active host to a standby without ever leaving two signers (docs/failover.md). Without --confirm: the plan and a read-only preflight, with the plan code; exit 0 when it could run, 4 when a guard would refuse. With --confirm: runs it after two operators confirm (typed at the terminal, or --approval FILE twice from `stake failover approve`).\n\nExamples:\n  stake failover cosmoshub --to val-waw\n  stake failover cosmoshub --to val-waw --confirm --approval alice.approval --approval bob.approval\n  stake failover --resume',
    options: {
      ...PLAN_OPTIONS,
      confirm: flag('--confirm', 'run it (after two operator confirmations)'),
      approval: many('--approval <file>', 'a signed approval (give two, by two operators)'),
      resume: flag('--resume', 'continue an interrupted failover from its journal'),
      ...RUN_OPTIONS,
      ...TO,
    },
    load,
    run: async (commands, opts, [identity], t, seams) => {
      if (opts.resume)
        return commands.failoverResumeCommand(
          {
            inventory: opts.inventory,
            ...(identity ? { identity } : {}),
            verifyTimeoutMs: opts.verifyTimeout * 1000,
            healthTimeoutSeconds: opts.healthTimeout,
          },
          t,
          interruptible(),
          seams.failoverHook,
        );
      if (!identity)
        throw await usage('which identity? stake failover IDENTITY --to HOST', 'or stake failover --resume');
      if (!opts.to) throw await usage('missing --to HOST: the standby to move the identity to');
      const options = failoverOptions(opts, identity);
      if (!opts.confirm) {
        if (opts.approval.length) throw await usage('--approval only counts with --confirm');
        return commands.failoverPlanCommand(options, t);
      }
      return commands.failoverConfirmCommand(
        { ...options, approvals: opts.approval },
        t,
        interruptible(),
        seams.failoverHook,
      );
    },
  }),

  defineCommand({
    name: 'approve',
    parent: 'failover',
    arguments: [{ name: '<identity>', help: 'the signing identity to move' }],
    summary: "sign a failover plan with an operator's key (an OpenSSH signature, namespace stake-failover)",
    description:
      'Compute the plan as `stake failover IDENTITY --to HOST` does and sign it with your operator key (--key FILE, or the key in ssh-agent matching your operators entry). The file holds the plan text and the signature; `ssh-keygen -Y verify` checks it (docs/failover.md).\n\nExample: stake failover approve cosmoshub --to val-waw --as alice --key ~/.ssh/id_ed25519 -o alice.approval',
    options: {
      ...PLAN_OPTIONS,
      as: required('--as <operator>', 'your name under operators in the inventory'),
      key: value('--key <file>', 'your private key file (default: ssh-agent)'),
      out: value('-o, --out <file>', 'where to write the approval (default failover-IDENTITY-OPERATOR.approval)'),
    },
    // --to is failover's own option (commander gives it to the parent), shared with approve
    inherits: { ...RUN_OPTIONS, ...TO },
    load,
    run: async ({ failoverApproveCommand }, opts, [identity = ''], t) => {
      if (!opts.to) throw await usage('missing --to HOST: the standby the approved plan moves the identity to');
      return failoverApproveCommand(
        {
          ...failoverOptions(opts, identity),
          as: opts.as,
          ...(opts.key ? { key: opts.key } : {}),
          ...(opts.out ? { out: opts.out } : {}),
        },
        t,
      );
    },
  }),

  defineGroup({
    name: 'drill',
    summary: 'rehearse: failover drills with a report',
    description: 'Rehearsals that produce evidence. See docs/operate.md.',
  }),

  defineCommand({
    name: 'failover',
    parent: 'drill',
    arguments: [{ name: '<identity>', help: 'the signing identity to move back and forth' }],
    summary:
      'rounds of real failovers back and forth, each approved with two operator keys; a report in Markdown, JSON and HTML',
    description:
      "Fail the identity over from its live active host to a standby and back, --rounds times, with the real failover code: each round approved by signatures made with the two operators' keys, the old host brought back by `stake deploy --limit HOST` before the next. Writes DIR/drill.md, drill.json and drill.html (a timeline per round: steps, signing gap, heights signed by which host). Exit 1 on any double sign, a round over its time objective, or a failover that did not complete.\n\nExample: stake drill failover cosmoshub -i .stake-lab/inventory.yaml --operator-key alice=.stake-lab/operators/alice --operator-key bob=.stake-lab/operators/bob --rounds 5 --report drill/",
    options: {
      operatorKey: many('--operator-key <name=file>', "an operator's name and private key file (give two)", {
        whole: true,
        mandatory: true,
      }),
      rounds: count('--rounds <n>', 'failovers to run (back and forth)', 'rounds', DEFAULT_DRILL_ROUNDS),
      report: value(
        '--report <dir>',
        'where to write the report (default .stake/drills/IDENTITY-TIME beside the inventory)',
      ),
      objective: milliseconds(
        '--objective <duration>',
        "a round's time objective, from confirmation to the end of the failover",
        DEFAULT_DRILL_OBJECTIVE_MS,
      ),
      verifyTimeout: count(
        '--verify-timeout <seconds>',
        'how long the target has to sign before a failover fails',
        'seconds',
        DEFAULT_VERIFY_TIMEOUT_SECONDS,
      ),
      healthTimeout: RUN_OPTIONS.healthTimeout,
    },
    load: () => import('../../commands/drill.js'),
    run: ({ drillFailoverCommand }, opts, [identity = ''], t, seams) =>
      drillFailoverCommand(
        {
          inventory: opts.inventory,
          identity,
          operatorKeys: opts.operatorKey,
          rounds: opts.rounds,
          ...(opts.report ? { report: opts.report } : {}),
          objectiveMs: opts.objective,
          verifyTimeoutMs: opts.verifyTimeout * 1000,
          healthTimeoutSeconds: opts.healthTimeout,
        },
        t,
        seams.failoverHook,
      ),
  }),
];
