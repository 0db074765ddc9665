#!/usr/bin/env node
// Derive the Web3Signer reference table from the real source at a tag.
// Usage: node derive-web3signer.mjs <Consensys/web3signer git dir> <tag>   (prints JSON on stdout)
// Plain Node.js ESM, no dependencies (uses ./picocli-extract.mjs next to this file).
import { makeRepo, makeExtractor, toFlags, lineOf } from './picocli-extract.mjs';

const [, , DIR, TAG] = process.argv;
if (!DIR || !TAG) {
  console.error('usage: derive-web3signer.mjs <repo-git-dir> <tag>');
  process.exit(64);
}
const repo = makeRepo(DIR, TAG);
const { show, files, commit } = repo;
const ex = makeExtractor(repo, { roots: ['commandline/src/main/java/'] });
const findLine = (f, needle) => {
  const t = show(f);
  const i = t.indexOf(needle);
  return i < 0 ? null : lineOf(t, i);
};

const BASE = 'commandline/src/main/java/tech/pegasys/web3signer/commandline/Web3SignerBaseCommand.java';
const ETH2 = 'commandline/src/main/java/tech/pegasys/web3signer/commandline/subcommands/Eth2SubCommand.java';
const PARSER = 'commandline/src/main/java/tech/pegasys/web3signer/commandline/CommandlineParser.java';
const APP = 'app/src/main/java/tech/pegasys/web3signer/Web3SignerApp.java';
const YAMLP =
  'commandline/src/main/java/tech/pegasys/web3signer/commandline/valueprovider/YamlConfigFileDefaultProvider.java';

const versions = show('gradle/versions.gradle');
const picocliVersion = (versions.match(/info\.picocli:picocli:([\d.]+)/) || [])[1];
const PICO = `remkop/picocli@v${picocliVersion}`;
if (picocliVersion !== '4.6.2')
  console.error(`WARNING: picocli ${picocliVersion}; picocli line numbers below were checked at v4.6.2`);
const besuVersion = (versions.match(/org\.hyperledger\.besu\.internal:metrics-core:([\d.]+)/) || [])[1];
const BESU = `hyperledger/besu@${besuVersion}`;
if (besuVersion !== '24.1.2')
  console.error(`WARNING: besu metrics-core ${besuVersion}; besu line numbers below were checked at 24.1.2`);

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
const baseOpts = ex.optionsOf('Web3SignerBaseCommand', BASE);
const eth2Opts = ex.optionsOf('Eth2SubCommand', ETH2);
const unresolved = [...baseOpts, ...eth2Opts].filter(
  (o) => o.unresolved || (o.names || []).some((n) => n.startsWith('UNRESOLVED')),
);
if (unresolved.length)
  console.error('WARNING unresolved', JSON.stringify(unresolved.map((o) => [o.names, o.file, o.line])));
const baseFlags = [...toFlags(baseOpts), ...stdHelp(BASE)];
const eth2Flags = [...toFlags(eth2Opts), ...stdHelp(ETH2)];

const unknownFlag = {
  exitCode: 2,
  stream: 'stderr',
  message: "Error parsing parameters: Unknown option: '--{flag}'",
  at: { file: PARSER, line: findLine(PARSER, '"Error parsing parameters: "') },
  note: `"Error parsing parameters: " + picocli message (${PICO} src/main/java/picocli/CommandLine.java:18117 "Unknown option" / "Unknown options"; the whole argument is quoted, so --foo=bar gives '--foo=bar'). Then, on STDOUT, picocli suggestions ("Possible solutions: ...") or else the command's usage help (${PARSER}:${findLine(PARSER, 'printSuggestions(ex, outputWriter)')}). Exit = exitCodeOnInvalidInput, picocli default 2 (CommandLine.java:1101; no override in the @Command annotations), via System.exit(result) at ${APP}:${findLine(APP, 'System.exit(result)')}. An option placed on the wrong level (e.g. --network before eth2) is unknown to that command and fails the same way.`,
};
const badValue = {
  exitCode: 2,
  stream: 'stderr',
  message: "Error parsing parameters: Invalid value for option '--{flag}' ({paramLabel}): '{value}' is not an int",
  at: { file: 'src/main/java/picocli/CommandLine.java', line: 14244, repository: PICO },
  note: `picocli conversion failure "Invalid value for option '--{flag}' ({paramLabel}): {converter message}" (CommandLine.java:14244; int converter "'{value}' is not an int" at :14592; other failures "cannot convert '{value}' to {Type} ({exception})" :14252), prefixed by "Error parsing parameters: " (${PARSER}:${findLine(PARSER, '"Error parsing parameters: "')}), exit 2. Validation Web3Signer does itself when the command runs (e.g. in Eth2SubCommand validateArgs) throws ParameterException (same handler, exit 2) or another exception, which is printed as "Failed to initialize Web3Signer" / "Cause: {message}" (${PARSER}:${findLine(PARSER, '"Failed to initialize Web3Signer"')}) with exitCodeOnExecutionException, picocli default 1 (CommandLine.java:4736).`,
};

// ---------- metrics ----------
const catFile = 'common/src/main/java/tech/pegasys/web3signer/common/Web3SignerMetricCategory.java';
const catText = show(catFile);
const cats = {};
for (const m of catText.matchAll(/^\s*([A-Z][A-Z0-9_]*)\("([a-z_0-9]+)"\)/gm))
  cats[`Web3SignerMetricCategory.${m[1]}`] = m[2] + '_';
cats['StandardMetricCategory.JVM'] = 'jvm_';
cats['StandardMetricCategory.PROCESS'] = 'process_';
const typeFromCall = (pre) => {
  const m = [...pre.matchAll(/\b(create\w*|\w+\.create)\s*\(/g)].pop();
  if (!m) return { type: 'gauge', call: '?' };
  const c = m[1];
  if (/Counter/.test(c)) return { type: 'counter', call: c };
  if (/Timer/.test(c)) return { type: 'summary', call: c };
  if (/Histogram/.test(c)) return { type: 'histogram', call: c };
  return { type: 'gauge', call: c };
};
const names = [];
for (const f of files.filter((p) => p.endsWith('.java') && /\/src\/main\/java\//.test(p))) {
  const t = show(f);
  if (!t.includes('MetricCategory')) continue;
  const re = /\b(Web3SignerMetricCategory|StandardMetricCategory)\.([A-Z][A-Z0-9_]+)\s*,\s*"([a-zA-Z0-9_]+)"/g;
  for (const m of t.matchAll(re)) {
    const key = `${m[1]}.${m[2]}`;
    if (!cats[key]) continue;
    const { type, call } = typeFromCall(t.slice(Math.max(0, m.index - 300), m.index));
    const name = cats[key] + m[3];
    const notes = [`${key} prefix "${cats[key]}" + "${m[3]}" (${call})`];
    if (type === 'counter')
      notes.push(
        `prometheus counter: sample exported as ${name.endsWith('_total') ? name : name + '_total'} (simpleclient adds _total; not checked in the simpleclient source)`,
      );
    if (type === 'summary')
      notes.push('timer = prometheus Summary: <name>, <name>_count, <name>_sum with quantile label');
    names.push({ name, type, at: { file: f, line: lineOf(t, m.index + m[0].indexOf('"')) }, note: notes.join('; ') });
  }
}

const out = {
  client: 'web3signer',
  version: TAG,
  source: { repository: 'Consensys/web3signer', tag: TAG, commit, licence: 'Apache-2.0' },
  derivation: `node derive-web3signer.mjs <Consensys/web3signer git dir> ${TAG} (recipe web3signer.md; shared picocli walker picocli-extract.mjs). Tag choice: the newest release tag created before 2024-11-01 (24.6.0, tagged 2024-06-12; the next release 24.12.0-RC1 is 2024-12-02). Error behaviour checked by hand in ${PICO}.`,
  commands: {
    '': {
      flags: baseFlags,
      unknownFlag,
      badValue,
      positional: `a subcommand: eth2, eth1, filecoin (registered at ${APP}:${findLine(APP, 'registerSubCommands(')}) or help; options of the root must come before the subcommand`,
    },
    eth2: {
      flags: eth2Flags,
      unknownFlag,
      badValue,
      positional: `none; further subcommands export, import, watermark-repair, help (${ETH2}:${findLine(ETH2, 'subcommands = {')})`,
    },
  },
  configFiles: [],
  metrics: [
    {
      path: '/metrics',
      enabledBy:
        '--metrics-enabled[=true] on the root command; --metrics-host (default 127.0.0.1), --metrics-port (default 9001), --metrics-host-allowlist, --metrics-category',
      at: {
        file: 'metrics/core/src/main/java/org/hyperledger/besu/metrics/prometheus/MetricsHttpService.java',
        line: 108,
        repository: BESU,
      },
      names,
    },
  ],
  notes: [
    `Options are per command level: root options (${BASE}) before "eth2", eth2 options (${ETH2} and its mixins) after it; picocli does not inherit them.`,
    `Metric names: category prefix (${catFile}; getApplicationPrefix() empty) + "_" + name, built by ${BESU} metrics/core/src/main/java/org/hyperledger/besu/metrics/prometheus/PrometheusMetricsSystem.java:289 (prefix = applicationPrefix + category name + "_"). Default categories: all Web3SignerMetricCategory + StandardMetricCategory (jvm, process) (${catFile}:${findLine(catFile, 'DEFAULT_METRIC_CATEGORIES =')}). Names with a variable category or a non-literal name, and the jvm_/process_ collectors, are not listed.`,
    `The root also reads an optional YAML file given by --config-file (YamlConfigFileDefaultProvider, ${YAMLP}); stake does not render one. An unknown key there fails "Unknown option in yaml configuration file: {key}" (${YAMLP}:${findLine(YAMLP, 'String.format("Unknown %s in yaml configuration file: %s"')}), as a ParameterException (exit 2). Keys are not tabulated here.`,
    `--http-host-allowlist / --metrics-host-allowlist are AllowListHostsProperty (a List splitting on commas, commandline/src/main/java/tech/pegasys/web3signer/commandline/config/AllowListHostsProperty.java:${findLine('commandline/src/main/java/tech/pegasys/web3signer/commandline/config/AllowListHostsProperty.java', 'Splitter.onPattern')}); "*" allows any host.`,
    `eth2 --network default "mainnet"; predefined names come from Eth2Network (completion candidates at ${ETH2}:${findLine(ETH2, 'class NetworkCliCompletionCandidates')}), a file path or URL is also accepted; the value is not checked by picocli.`,
    '"at" objects with a "repository" member point into that repository at that version, not into Consensys/web3signer.',
  ],
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
