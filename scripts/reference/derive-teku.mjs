#!/usr/bin/env node
// Derive the Teku reference table from the real source at a tag.
// Usage: node derive-teku.mjs <Consensys/teku git dir> <tag>   (prints JSON on stdout)
// Plain Node.js ESM, no dependencies (uses ./picocli-extract.mjs next to this file).
import { makeRepo, makeExtractor, toFlags, lineOf } from './picocli-extract.mjs';

const [, , DIR, TAG] = process.argv;
if (!DIR || !TAG) {
  console.error('usage: derive-teku.mjs <repo-git-dir> <tag>');
  process.exit(64);
}
const repo = makeRepo(DIR, TAG);
const { show, git, files, commit } = repo;
const ex = makeExtractor(repo, { roots: ['teku/src/main/java/tech/pegasys/teku/cli/'] });
const findLine = (f, needle) => {
  const t = show(f);
  const i = t.indexOf(needle);
  return i < 0 ? null : lineOf(t, i);
};

const BN = 'teku/src/main/java/tech/pegasys/teku/cli/BeaconNodeCommand.java';
const VC = 'teku/src/main/java/tech/pegasys/teku/cli/subcommand/ValidatorClientCommand.java';
const YAML = 'teku/src/main/java/tech/pegasys/teku/cli/util/YamlConfigFileParamsProvider.java';
const ABS = 'teku/src/main/java/tech/pegasys/teku/cli/util/AbstractParamsProvider.java';
const TEKU = 'teku/src/main/java/tech/pegasys/teku/Teku.java';
const ENVP = 'teku/src/main/java/tech/pegasys/teku/cli/util/EnvironmentVariableParamsProvider.java';

const versions = show('gradle/versions.gradle');
const picocliVersion = (versions.match(/info\.picocli:picocli:([\d.]+)/) || [])[1];
const PICO = `remkop/picocli@v${picocliVersion}`;
if (picocliVersion !== '4.7.6')
  console.error(`WARNING: picocli ${picocliVersion}; picocli line numbers below were checked at v4.7.6`);
const besuVersion = (versions.match(/group: 'org\.hyperledger\.besu\.internal', version: '([^']+)'/) || [])[1];
const BESU = `hyperledger/besu@${besuVersion}`;
if (besuVersion !== '24.7.0')
  console.error(`WARNING: besu metrics ${besuVersion}; besu line numbers below were checked at 24.7.0`);

// mixinStandardHelpOptions = true adds -h/--help and -V/--version (picocli AutoHelpMixin)
const stdHelp = (file) => [
  {
    name: 'help',
    kind: 'bool',
    repeatable: false,
    aliases: ['h'],
    at: { file, line: findLine(file, 'mixinStandardHelpOptions = true') },
    note: 'picocli mixinStandardHelpOptions: prints usage and exits 0',
  },
  {
    name: 'version',
    kind: 'bool',
    repeatable: false,
    aliases: ['V'],
    at: { file, line: findLine(file, 'mixinStandardHelpOptions = true') },
    note: 'picocli mixinStandardHelpOptions: prints version and exits 0',
  },
];
const bnOpts = ex.optionsOf('BeaconNodeCommand', BN);
const vcOpts = ex.optionsOf('ValidatorClientCommand', VC);
const unresolved = [...bnOpts, ...vcOpts].filter((o) => o.unresolved);
if (unresolved.length) console.error('WARNING unresolved', JSON.stringify(unresolved));
const bnFlags = [...toFlags(bnOpts), ...stdHelp(BN)];
// --config-file has scope = INHERIT: also an option of every subcommand
const cfg = bnFlags.find((f) => f.name === 'c' || f.aliases?.includes('config-file') || f.name === 'config-file');
if (cfg && cfg.name === 'c') {
  cfg.name = 'config-file';
  cfg.aliases = ['c'];
}
const vcFlags = [
  ...toFlags(vcOpts),
  ...stdHelp(VC),
  { ...cfg, note: `${cfg.note}; inherited from the root command (scope = ScopeType.INHERIT)` },
];

// ---------- config file keys: every long option name of the command, without "--" ----------
const keysOf = (flags) =>
  flags
    .filter((f) => !['help', 'version', 'config-file'].includes(f.name))
    .flatMap((f) =>
      [f.name, ...(f.aliases || [])]
        .filter((n) => n.length > 1)
        .map((n) => ({
          path: n,
          type: f.kind,
          at: f.at,
          ...(n !== f.name ? { note: `alias of ${f.name}` } : {}),
        })),
    );

const yamlUnknown = {
  exitCode: 2,
  stream: 'stderr',
  message: 'Unknown option in yaml configuration file: {key}',
  at: { file: YAML, line: findLine(YAML, 'String.format("Unknown %s in yaml configuration file: %s"') },
  note: `Several unknown keys: "Unknown options in yaml configuration file: k1, k2" (sorted, ", " joined; ${YAML}:${findLine(YAML, 'final String options = unknownOptionsList.size()')}). The check (${YAML}:${findLine(YAML, 'private void checkUnknownOptions')}) accepts a key if "--"+key or "-"+key is an option name of the ROOT command OR of any direct subcommand (validator-client, admin, transition, peer, genesis, slashing-protection, migrate-database, debug-tools, unstable-options, voluntary-exit, internal-tools, help); the comparison is case-sensitive. So a key valid only for another command is NOT an error: it is silently not applied, because only options of the command being run (the most nested parse result, ${BN}:${findLine(BN, 'parseResult.commandSpec().options()')}) are taken from the file. The ParameterException is printed by handleParseException (${BN}:${findLine(BN, 'private int handleParseException')}): the message, picocli suggestions if any, then an empty line, "To display full help:", "teku [COMMAND] --help"; exit = exitCodeOnInvalidInput, picocli default 2 (ExitCode.USAGE, ${PICO} src/main/java/picocli/CommandLine.java:1175); returned through Teku.startFromCLIArgs -> System.exit (${TEKU}:${findLine(TEKU, 'System.exit(e.getResultCode())')}).`,
};
const yamlBad = {
  exitCode: 2,
  stream: 'stderr',
  message: "Invalid value for option '--{flag}' ({paramLabel}): '{value}' is not an int",
  at: { file: 'src/main/java/picocli/CommandLine.java', line: 14800, repository: PICO },
  note: `Config values are turned into "--<longest option name>" "<value>" pairs appended to the command line (${BN}:${findLine(BN, 'build new argument list by concatenating')}; lists are joined with "," ${YAML}:${findLine(YAML, 'Collectors.joining(",")')}) and parsed by picocli, so a bad value fails exactly like on the command line: "Invalid value for option '--{flag}' ({paramLabel}): {converter message}" (picocli CommandLine.java:14800; built-in int converter message "'{value}' is not an int" at :15161) or "... cannot convert '{value}' to {Type} ({exception})" (:14808), printed by handleParseException, exit 2. A YAML list for a single-valued option: "The '{key}' parameter in config file is multi-valued but the corresponding teku option is single-valued" (${YAML}:${findLine(YAML, 'is multi-valued but the corresponding teku option is single-valued')}), exit 2. Values Teku itself rejects later (IllegalArgumentException/InvalidConfigurationException while building the config, ${BN}:${findLine(BN, 'throw new InvalidConfigurationException(e)')}) print the message to stderr (and log it) and exit 2 (${BN}:${findLine(BN, 'return 2;')}); other start-up failures print "Teku failed to start: {message}" and exit 1 (${BN}:${findLine(BN, '"Teku failed to start: "')}). An empty file: "Empty yaml configuration file: {file}"; a missing file: "Unable to read yaml configuration. File not found: {file}"; both exit 2.`,
};
const unknownFlag = {
  exitCode: 2,
  stream: 'stderr',
  message: "Unknown option: '--{flag}'",
  at: { file: 'src/main/java/picocli/CommandLine.java', line: 18799, repository: PICO },
  note: `picocli UnmatchedArgumentException: "Unknown option" (several: "Unknown options: '--a', '--b'"), ": " + quoted args (CommandLine.java:18715, 18805-18817); the whole argument is quoted, so --foo=bar gives "Unknown option: '--foo=bar'". Printed by Teku's handleParseException (${BN}:${findLine(BN, 'errorWriter.println(ex.getMessage());')}) followed by "Possible solutions: ..." when picocli finds similar names (CommandLine.java:18748-18753), an empty line, "To display full help:" and "teku [COMMAND] --help" (${BN}:${findLine(BN, 'private void printUsage')}); exit 2 (exitCodeOnInvalidInput default ExitCode.USAGE = 2, CommandLine.java:1175, 7236; ${TEKU}:${findLine(TEKU, 'System.exit(e.getResultCode())')}). An argument that does not look like an option gives "Unmatched argument at index {i}: '{arg}'" (CommandLine.java:18803).`,
};
const badValue = {
  ...yamlBad,
  note: `On the command line the same picocli conversion error applies (CommandLine.java:14800/14808), printed by handleParseException, exit 2. Repeating a single-valued option fails "option '--{flag}' ({paramLabel}) should be specified only once" (picocli OverwrittenOptionException; Teku does not enable overwritten options), exit 2.`,
};

// ---------- metrics ----------
const catFile = 'infrastructure/metrics/src/main/java/tech/pegasys/teku/infrastructure/metrics/TekuMetricCategory.java';
const catText = show(catFile);
const cats = {};
for (const m of catText.matchAll(/^\s*([A-Z][A-Z0-9_]*)\("([a-z_0-9]+)"\)/gm))
  cats[`TekuMetricCategory.${m[1]}`] = { prefix: m[2] + '_', at: { file: catFile, line: lineOf(catText, m.index) } };
cats['StandardMetricCategory.JVM'] = {
  prefix: 'jvm_',
  at: {
    file: 'metrics/core/src/main/java/org/hyperledger/besu/metrics/StandardMetricCategory.java',
    line: 23,
    repository: BESU,
  },
};
cats['StandardMetricCategory.PROCESS'] = {
  prefix: 'process_',
  at: {
    file: 'metrics/core/src/main/java/org/hyperledger/besu/metrics/StandardMetricCategory.java',
    line: 25,
    repository: BESU,
  },
};
const defaultCats = (() => {
  const i = catText.indexOf('defaultCategories()');
  const body = catText.slice(i, catText.indexOf(');', i));
  return [...body.matchAll(/\b([A-Z][A-Z0-9_]{2,})\b/g)].map((m) => m[1]);
})();

const typeFromCall = (pre) => {
  const m = [
    ...pre.matchAll(
      /\b(create\w*|SettableGauge\.create|SettableLabelledGauge\.create|MetricsHistogram\.create|MetricsCountersByIntervals\.create|\w+\.create)\s*\(/g,
    ),
  ].pop();
  if (!m) return { type: 'gauge', call: '?' };
  const c = m[1];
  if (/Counter/.test(c)) return { type: 'counter', call: c };
  if (/Timer/.test(c)) return { type: 'summary', call: c };
  if (/Histogram/.test(c)) return { type: 'histogram', call: c };
  return { type: 'gauge', call: c };
};
const names = [];
const javaFiles = files.filter((f) => f.endsWith('.java') && /\/src\/main\/java\//.test(f));
for (const f of javaFiles) {
  const t = show(f);
  if (!t.includes('MetricCategory')) continue;
  const staticImports = new Map();
  for (const m of t.matchAll(/import static [\w.]*\.(TekuMetricCategory|StandardMetricCategory)\.([A-Z_]+);/g))
    staticImports.set(m[2], `${m[1]}.${m[2]}`);
  const re = /(?:\b(TekuMetricCategory|StandardMetricCategory)\.)?\b([A-Z][A-Z0-9_]+)\s*,\s*"([a-zA-Z0-9_]+)"/g;
  for (const m of t.matchAll(re)) {
    const catKey = m[1] ? `${m[1]}.${m[2]}` : staticImports.get(m[2]);
    if (!catKey || !cats[catKey]) continue;
    const pre = t.slice(Math.max(0, m.index - 300), m.index);
    const { type, call } = typeFromCall(pre);
    const name = cats[catKey].prefix + m[3];
    const e = { name, type, at: { file: f, line: lineOf(t, m.index + m[0].indexOf('"')) } };
    const notes = [`${catKey} prefix "${cats[catKey].prefix}" + "${m[3]}" (${call})`];
    if (type === 'counter')
      notes.push(
        `prometheus counter: sample exported as ${name.endsWith('_total') ? name : name + '_total'} (simpleclient adds _total; not checked in the simpleclient source)`,
      );
    if (type === 'summary')
      notes.push('timer = prometheus Summary: <name>, <name>_count, <name>_sum with quantile label');
    if (!defaultCats.includes(m[2]) && catKey.startsWith('Teku'))
      notes.push(`category ${m[2]} is not enabled by default (needs --metrics-categories)`);
    e.note = notes.join('; ');
    names.push(e);
  }
}
// split by process: validator-only modules vs beacon
const isVc = (f) => /^validator\//.test(f.at.file) || f.at.file.includes('/validator/remote/');
const out = {
  client: 'teku',
  version: TAG,
  source: { repository: 'Consensys/teku', tag: TAG, commit, licence: 'Apache-2.0' },
  derivation: `node derive-teku.mjs <Consensys/teku git dir> ${TAG} (recipe teku.md; shared picocli walker picocli-extract.mjs). Options: @Option/@Mixin/@ArgGroup walk from ${BN} and ${VC}; metrics: "<Category>.<X>, \\"name\\"" in src/main/java; error behaviour checked by hand in ${PICO} and ${BESU}.`,
  commands: {
    '': {
      flags: bnFlags,
      unknownFlag,
      badValue,
      positional: `none for the beacon node; the first non-option argument must be a subcommand (validator-client|vc, admin, transition, peer, genesis, slashing-protection, migrate-database, debug-tools, unstable-options, voluntary-exit, internal-tools, help; ${BN}:${findLine(BN, 'subcommands = {')}, vc added at ${BN}:${findLine(BN, 'addSubcommand(validatorClientSubcommand)')})`,
    },
    vc: {
      flags: vcFlags,
      unknownFlag,
      badValue,
      positional: `none; "vc" is an alias of validator-client (${VC}:${findLine(VC, 'aliases = "vc"')})`,
    },
  },
  configFiles: [
    {
      command: '',
      locatedBy: `flag:config-file (or -c, or env TEKU_CONFIG_FILE; ${BN}:${findLine(BN, 'getConfigFileFromCliOrEnv(final')})`,
      format: 'yaml',
      at: { file: YAML, line: findLine(YAML, 'objectMapper.readValue(configFile') },
      keys: keysOf(bnFlags),
      unknownKey: yamlUnknown,
      badValue: yamlBad,
    },
    {
      command: 'vc',
      locatedBy: `flag:config-file (inherited by vc, scope INHERIT; or env TEKU_CONFIG_FILE)`,
      format: 'yaml',
      at: { file: YAML, line: findLine(YAML, 'objectMapper.readValue(configFile') },
      keys: keysOf(vcFlags),
      unknownKey: yamlUnknown,
      badValue: yamlBad,
    },
  ],
  metrics: [
    {
      path: '/metrics',
      enabledBy:
        'metrics-enabled: true (teku, beacon node process); metrics-interface (default 127.0.0.1), metrics-port (default 8008), metrics-host-allowlist (default localhost,127.0.0.1), metrics-categories',
      at: {
        file: 'metrics/core/src/main/java/org/hyperledger/besu/metrics/prometheus/MetricsHttpService.java',
        line: 107,
        repository: BESU,
      },
      names: names.filter((n) => !isVc(n)),
    },
    {
      path: '/metrics',
      enabledBy: 'metrics-enabled: true under `teku vc` (validator client process); same options',
      at: {
        file: 'metrics/core/src/main/java/org/hyperledger/besu/metrics/prometheus/MetricsHttpService.java',
        line: 107,
        repository: BESU,
      },
      names: names.filter((n) => isVc(n) || /^(executor|eventbus|jvm|process)_/.test(n.name)),
    },
  ],
  notes: [
    `Config file keys are the option names without "--", matched case-insensitively against every "--" name of each option of the command being run (${ABS}:${findLine(ABS, 'equalsIgnoreCase')}); aliases work (e.g. data-path for --data-base-path). Options given on the command line win over the file; environment variables TEKU_<OPTION> are consulted too (${ENVP}).`,
    `Booleans: options with arity 0..1 accept "--x", "--x=true|false", and the YAML true/false; YAML lists are joined with "," and need a multi-value option (split ",").`,
    `Metric names: prefix from the category (${catFile}; getApplicationPrefix() is empty) + "_" + name, built in ${BESU} metrics/core/src/main/java/org/hyperledger/besu/metrics/prometheus/PrometheusMetricsSystem.java:297-331 (convertToPrometheusName = prefix(category) + name). Only enabled categories are registered (PrometheusMetricsSystem.java:149, 162); default categories = StandardMetricCategory (jvm, process) + TekuMetricCategory.defaultCategories() (${catFile}:${findLine(catFile, 'defaultCategories()')}, which omits VALIDATOR_DUTY).`,
    'The metrics list is every "<Teku|Standard>MetricCategory.X, \\"name\\"" occurrence in src/main/java (statically imported categories too). Names built from a variable category (e.g. storage RocksDbStats / LevelDb with the hot/finalized category passed in) or a non-literal name are not listed; jvm_*/process_* collectors from the prometheus hotspot exports are added by besu metrics-core and not listed.',
    'metrics[0] = beacon node process, metrics[1] = `teku vc` process (validator/ modules + executor/eventbus/jvm/process); a node running both (teku with validator keys) exports both sets. The split is by module path, not checked by running.',
    `beacon_head_slot = TekuMetricCategory.BEACON ("beacon") + "head_slot" (services/beaconchain/src/main/java/tech/pegasys/teku/services/beaconchain/BeaconChainMetrics.java:${findLine('services/beaconchain/src/main/java/tech/pegasys/teku/services/beaconchain/BeaconChainMetrics.java', '"head_slot"')}); libp2p_peers = LIBP2P ("libp2p") + "peers" (networking/p2p/src/main/java/tech/pegasys/teku/networking/p2p/libp2p/PeerManager.java:${findLine('networking/p2p/src/main/java/tech/pegasys/teku/networking/p2p/libp2p/PeerManager.java', '"peers"')}). Teku has no sync_eth2_synced metric (not found in src/main).`,
    `vc: "--network option should not be specified before the validator-client command" (${VC}:${findLine(VC, 'should not be specified before the validator-client command')}): in a config file used with \`teku vc\`, "network" is applied to the vc's own --network option (the root's is not parsed from the file for vc), so this does not trigger.`,
    `vc: --beacon-node-api-endpoint(s) and --sentry-config-file are an exclusive @ArgGroup (teku/src/main/java/tech/pegasys/teku/cli/options/ValidatorClientOptions.java:${findLine('teku/src/main/java/tech/pegasys/teku/cli/options/ValidatorClientOptions.java', '@ArgGroup')}).`,
    `vc validators-external-signer-public-keys: the literal value "external-signer" (case-insensitive) means "ask the external signer for its keys" (validator/client/src/main/java/tech/pegasys/teku/validator/client/loader/PublicKeyLoader.java:${findLine('validator/client/src/main/java/tech/pegasys/teku/validator/client/loader/PublicKeyLoader.java', 'key.equalsIgnoreCase(EXTERNAL_SIGNER_SOURCE_ID)')}); other values are public keys or a URL returning a JSON array of keys.`,
    '"at" objects with a "repository" member point into that repository at that version, not into Consensys/teku.',
  ],
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
