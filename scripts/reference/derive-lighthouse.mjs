#!/usr/bin/env node
// Derive the Lighthouse reference table (flags of `lighthouse`, `lighthouse bn`, `lighthouse vc`,
// and statically registered Prometheus metric names) from the real source at a tag.
// Usage: node derive-lighthouse.mjs <lighthouse-git-dir> <tag>   (prints JSON on stdout)
// Plain Node.js ESM, no dependencies; only runs `git show` / `git grep` / `git ls-tree`.
import { execFileSync } from 'node:child_process';

const [, , DIR, TAG] = process.argv;
if (!DIR || !TAG) {
  console.error('usage: derive-lighthouse.mjs <repo-git-dir> <tag>');
  process.exit(64);
}
const git = (...a) => execFileSync('git', ['-C', DIR, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
const show = (p) => git('show', `${TAG}:${p}`);
const commit = git('rev-parse', `${TAG}^{commit}`).trim();
const lineOf = (text, idx) => text.slice(0, idx).split('\n').length;

// ---------- constants used as flag names (clap_utils::flags) ----------
const consts = {};
for (const m of show('common/clap_utils/src/flags.rs').matchAll(/pub const (\w+): &str = "([^"]+)";/g))
  consts[m[1]] = m[2];

// ---------- resolvers for non-literal value_parser lists ----------
function hardcodedNetNames() {
  const f = 'common/eth2_config/src/lib.rs';
  const t = show(f);
  const i = t.indexOf('define_hardcoded_nets!(\n');
  const body = t.slice(i);
  const names = [...body.matchAll(/\(\s*(?:\/\/[^\n]*\n\s*)*(\w+),/g)].map((m) => m[1]);
  return { values: names, note: `values from define_hardcoded_nets! at ${f}:${lineOf(t, i)}` };
}
function slasherBackends() {
  const f = 'slasher/src/config.rs';
  const t = show(f);
  const i = t.indexOf('pub enum DatabaseBackend {');
  const body = t.slice(i, t.indexOf('}', i));
  const vals = [...body.matchAll(/^\s*(\w+),/gm)].map((m) => m[1].toLowerCase());
  return {
    values: vals,
    note: `strum VARIANTS (serialize_all = "lowercase") of DatabaseBackend at ${f}:${lineOf(t, i)}; mdbx/lmdb/redb are each behind a cargo feature, disabled always present`,
  };
}
const parserResolvers = {
  'HARDCODED_NET_NAMES.to_vec()': hardcodedNetNames,
  'slasher::DatabaseBackend::VARIANTS.to_vec()': slasherBackends,
};

// value_name -> kind (clap itself accepts any string for these: Lighthouse parses after clap)
const VN_KIND = {
  PORT: 'uint',
  INTEGER: 'int',
  SECONDS: 'uint',
  EPOCHS: 'uint',
  EPOCH: 'uint',
  SIZE: 'uint',
  MILLISECONDS: 'uint',
  MILLIS: 'uint',
  COUNT: 'uint',
  PERCENT: 'uint',
  N: 'uint',
  NUM: 'uint',
  BLOCKS: 'uint',
  GIGABYTES: 'uint',
  SLOT_COUNT: 'uint',
  NUM_SLOTS: 'uint',
  NUM_VALIDATORS: 'uint',
  STATE_CACHE_SIZE: 'uint',
  UINT64: 'uint',
  DIR: 'path',
  FILE: 'path',
  PATH: 'path',
  VALIDATORS_DIR: 'path',
  SECRETS_DIRECTORY: 'path',
  'GRAFFITI-FILE': 'path',
  'EXECUTION-JWT': 'path',
  'CERTIFICATE-FILES': 'list',
  BLOCK_SSZ: 'path',
  STATE_SSZ: 'path',
  BLOBS_SSZ: 'path',
  URL: 'url',
  'EXECUTION-ENDPOINT': 'url',
  BEACON_NODE: 'url',
  NETWORK_ADDRESSES: 'list',
  'ENR/MULTIADDR LIST': 'list',
  TRUSTED_PEERS: 'list',
  'N1,N2,...': 'list',
  API_TOPICS: 'list',
  PUBKEYS: 'list',
  BOOLEAN: 'bool',
};

// ---------- clap builder parser ----------
function parseClapArgs(file, { globalOnly = false } = {}) {
  const t = show(file);
  const starts = [...t.matchAll(/Arg::new\(/g)].map((m) => m.index);
  const out = [];
  starts.forEach((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1] : t.length;
    const sub = t.indexOf('.subcommand(', s);
    if (sub !== -1 && sub < end) end = sub;
    const grp = t.indexOf('.group(', s);
    if (grp !== -1 && grp < end) end = grp;
    const b = t.slice(s, end);
    const id = (b.match(/^Arg::new\(\s*(?:"([^"]+)"|([\w:]+))\s*\)/) || []).slice(1).find(Boolean);
    const lm = b.match(/\.long\(\s*(?:"([^"]+)"|([\w:]+))\s*\)/);
    const long = lm ? (lm[1] ?? consts[lm[2].split('::').pop()] ?? `UNRESOLVED:${lm[2]}`) : null;
    const short = (b.match(/\.short\('(.)'\)/) || [])[1];
    const action = (b.match(/\.action\(ArgAction::(\w+)\)/) || [])[1] || 'UNSPECIFIED';
    const valueName = (b.match(/\.value_name\("([^"]+)"\)/) || [])[1];
    const global = /\.global\(true\)/.test(b);
    const hidden = /\.hide\(true\)/.test(b);
    const numArgs = (b.match(/\.num_args\(([^)]+)\)/) || [])[1];
    const delim = (b.match(/\.value_delimiter\('(.)'\)/) || [])[1];
    const def = (b.match(/\.default_value\("([^"]*)"\)/) || [])[1];
    const aliases = [];
    for (const m of b.matchAll(/\.(?:visible_)?alias\("([^"]+)"\)/g)) aliases.push(m[1]);
    for (const m of b.matchAll(/\.(?:visible_)?aliases\(\[([^\]]*)\]\)/g))
      for (const a of m[1].matchAll(/"([^"]+)"/g)) aliases.push(a[1]);
    for (const m of b.matchAll(/\.(?:visible_)?short_alias\('(.)'\)/g)) aliases.push(m[1]);
    if (short) aliases.push(short);
    let values, vnote;
    const vp = b.match(/\.value_parser\(([\s\S]*?)\)\s*\n/);
    let customParser = false;
    if (vp) {
      const expr = vp[1].trim();
      if (expr.startsWith('[')) values = [...expr.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
      else if (parserResolvers[expr]) ({ values, note: vnote } = parserResolvers[expr]());
      else customParser = true;
    }
    const line = lineOf(t, s);
    if (!long) {
      // short-only flag (e.g. -l)
      out.push({ id, long: null, short, action, line, global, hidden, aliases, valueName });
      return;
    }
    out.push({
      id,
      long,
      short,
      action,
      valueName,
      global,
      hidden,
      numArgs,
      delim,
      def,
      aliases,
      values,
      vnote,
      customParser,
      line,
      file,
    });
  });
  return out.filter((a) => !globalOnly || a.global);
}

function toFlag(a, extraNote) {
  const notes = [];
  let kind;
  const takesValue = !['SetTrue', 'SetFalse', 'Count', 'HelpLong', 'Help', 'HelpShort', 'Version'].includes(a.action);
  if (!takesValue) kind = 'bool';
  else if (a.values) kind = 'enum';
  else if (a.customParser) {
    kind = 'uint';
    notes.push('custom clap value_parser closure (validated by clap, exit 2)');
  } else kind = VN_KIND[a.valueName] || 'string';
  if (a.action === 'HelpLong') notes.push('prints help and exits 0');
  if (a.action === 'SetTrue')
    notes.push(
      'switch: takes no value (`--x=true` is refused by clap: "unexpected value ... no more were expected", exit 2)',
    );
  if (takesValue && !a.values && !a.customParser)
    notes.push(
      `clap accepts any string${a.valueName ? ` (value_name ${a.valueName})` : ''}; Lighthouse parses it after clap; kind is read from value_name / the parse in config.rs`,
    );
  if (kind === 'bool' && takesValue) notes.push('takes a value: true|false');
  if (kind === 'list')
    notes.push(
      a.long === 'beacon-nodes' || a.long === 'proposer-nodes'
        ? "comma separated (split(',') in validator_client/src/config.rs)"
        : 'several values in one string (value_name suggests a comma separated list; separator not checked by hand)',
    );
  if (a.numArgs) notes.push(`num_args(${a.numArgs})`);
  if (a.delim) notes.push(`value_delimiter '${a.delim}'`);
  if (a.def !== undefined) notes.push(`default "${a.def}"`);
  if (a.global) notes.push('global(true): also accepted after any subcommand');
  if (a.hidden) notes.push('hidden from --help');
  if (a.vnote) notes.push(a.vnote);
  if (a.id !== a.long) notes.push(`clap id "${a.id}"`);
  if (extraNote) notes.push(extraNote);
  const repeatable = a.action === 'Append' || a.action === 'Count';
  if (!repeatable && takesValue)
    notes.push(
      'not repeatable: a second occurrence fails "the argument \'--x <X>\' cannot be used multiple times", exit 2',
    );
  if (repeatable) notes.push('ArgAction::Append: may be given more than once, values accumulate');
  const f = { name: a.long, kind };
  if (kind === 'enum') f.values = a.values;
  if (kind === 'bool' && takesValue) f.values = ['true', 'false'];
  f.repeatable = repeatable;
  const al = a.aliases.filter((x) => x !== a.long);
  if (al.length) f.aliases = al;
  f.at = { file: a.file, line: a.line };
  f.note = notes.join('; ');
  return f;
}

const MAIN = 'lighthouse/src/main.rs';
const BN = 'beacon_node/src/cli.rs';
const VC = 'validator_client/src/cli.rs';
const rootArgs = parseClapArgs(MAIN);
const rootFlags = rootArgs.filter((a) => a.long).map((a) => toFlag({ ...a, file: MAIN }));
const shortOnly = rootArgs.filter((a) => !a.long);
const globals = rootArgs
  .filter((a) => a.long && a.global)
  .map((a) => toFlag({ ...a, file: MAIN }, 'defined on the root command (lighthouse/src/main.rs) with global(true)'));
const bnFlags = parseClapArgs(BN).map((a) => toFlag(a));
const vcFlags = parseClapArgs(VC).map((a) => toFlag(a));
for (const s of shortOnly) {
  rootFlags.push({
    name: s.short,
    kind: 'bool',
    repeatable: false,
    at: { file: MAIN, line: s.line },
    note: `short-only switch -${s.short} (clap id "${s.id}"), not global`,
  });
}
const mergeGlobals = (own) => {
  const names = new Set(own.map((f) => f.name));
  return [...own, ...globals.filter((g) => !names.has(g.name))];
};

// ---------- metrics ----------
const METRIC_FN =
  /try_create_(int_counter_vec|int_counter|int_gauge_vec|int_gauge|float_gauge_vec|float_gauge|histogram_vec_with_buckets|histogram_vec|histogram_with_buckets|histogram)\(\s*("(?:[^"\\]|\\.)*"|[^,)]+)\s*,\s*(?:"((?:[^"\\]|\\.)*)")?/g;
const typeOf = (fn) => (fn.includes('counter') ? 'counter' : fn.includes('histogram') ? 'histogram' : 'gauge');
function metricNames(prefixes, excludes = []) {
  const files = git('ls-tree', '-r', '--name-only', TAG)
    .split('\n')
    .filter(
      (p) =>
        p.endsWith('.rs') &&
        prefixes.some((x) => p.startsWith(x)) &&
        !excludes.some((x) => p.startsWith(x)) &&
        !/\/tests?\//.test(p) &&
        !p.includes('/benches/'),
    );
  const names = [];
  const dynamic = [];
  for (const f of files) {
    const t = show(f);
    if (!t.includes('try_create_')) continue;
    for (const m of t.matchAll(METRIC_FN)) {
      if (m.index > 0 && /fn\s+$/.test(t.slice(Math.max(0, m.index - 8), m.index))) continue; // the definitions themselves
      const line = lineOf(t, m.index + m[0].indexOf(m[2]));
      let name = null;
      let viaConst = null;
      if (m[2].startsWith('"')) name = m[2].slice(1, -1);
      else {
        const cm = t.match(new RegExp(`const ${m[2].trim()}: &str =\\s*"([^"]+)"`));
        if (cm) {
          name = cm[1];
          viaConst = `${m[2].trim()} (const in the same file, line ${lineOf(t, cm.index)})`;
        }
      }
      if (name) {
        const e = { name, type: typeOf(m[1]) };
        if (m[3])
          e.help = m[3]
            .replace(/\\\s*\n\s*/g, '')
            .replace(/\s+/g, ' ')
            .trim();
        e.at = { file: f, line };
        const notes = [];
        if (m[1].endsWith('_vec') || m[1].includes('_vec_')) notes.push('vector metric: has labels');
        if (typeOf(m[1]) === 'histogram') notes.push('exported as <name>_bucket, <name>_sum, <name>_count');
        if (viaConst) notes.push(`name from ${viaConst}`);
        if (notes.length) e.note = notes.join('; ');
        names.push(e);
      } else dynamic.push({ expr: m[2].trim(), at: { file: f, line } });
    }
  }
  return { names, dynamic };
}
const bnM = metricNames(['beacon_node/', 'common/', 'consensus/', 'slasher/'], ['common/lighthouse_metrics/']);
const vcM = metricNames(['validator_client/', 'common/'], ['common/lighthouse_metrics/']);
const procM = metricNames(['lighthouse/src/']);

// ---------- hand-checked parts (re-check by hand for a new version; see lighthouse.md) ----------
const lock = show('Cargo.lock');
const clapVersion = (lock.match(/name = "clap"\nversion = "([^"]+)"/) || [])[1];
const CLAP = `clap-rs/clap@v${clapVersion}`;
if (clapVersion !== '4.5.10')
  console.error(`WARNING: clap ${clapVersion} in Cargo.lock; the clap line numbers below were checked at v4.5.10`);
const findLine = (f, needle) => {
  const t = show(f);
  const i = t.indexOf(needle);
  return i < 0 ? null : lineOf(t, i);
};
const unknownFlag = {
  exitCode: 2,
  stream: 'stderr',
  message: "error: unexpected argument '{flag}' found",
  at: { file: 'clap_builder/src/error/format.rs', line: 411, repository: CLAP },
  note: `{flag} is the text before '=' (e.g. '--foo' for --foo=bar; clap_builder/src/parser/parser.rs:849-850). Then clap may add "\n\n  tip: a similar argument exists: '--x'" (format.rs:530-545), then "\n\nUsage: ..." and "\n\nFor more information, try '--help'." (format.rs:514-523). Exit 2 = USAGE_CODE (clap_builder/src/util/mod.rs:30, error/mod.rs:221-236) via Command::get_matches (command.rs:635), called at ${MAIN}:${findLine(MAIN, 'cli.get_matches()')}. Colour depends on the terminal (get_color_style). An unknown subcommand gives "error: unrecognized subcommand '{sub}'" (format.rs:265), exit 2.`,
};
const badValue = {
  exitCode: 2,
  stream: 'stderr',
  message: "error: invalid value '{value}' for '--{flag} <{VALUE_NAME}>'\n  [possible values: {values}]",
  at: { file: 'clap_builder/src/error/format.rs', line: 244, repository: CLAP },
  note: `Only for flags with a clap value_parser (kind enum here, and builder-header-timeout). All other value flags are plain strings to clap and are parsed by Lighthouse after clap: the error string (flag specific, e.g. "Failed to parse --port as an integer: {error}" at beacon_node/src/config.rs:${findLine('beacon_node/src/config.rs', 'Failed to parse --port as an integer')}, "http-port is not a valid u16." at beacon_node/src/config.rs:${findLine('beacon_node/src/config.rs', 'http-port is not a valid u16.')}; vc errors are prefixed "Unable to initialize validator config: " at ${MAIN}:${findLine(MAIN, 'Unable to initialize validator config')}) is printed with eprintln to stderr at ${MAIN}:${findLine(MAIN, 'eprintln!("{}", e);')} and the process exits 1 (${MAIN}:${findLine(MAIN, 'eprintln!("{}", e);') + 2}). A value given to a switch (--http=true) fails "error: unexpected value '{value}' for '--{flag}' found; no more were expected" (format.rs:319), exit 2. A second occurrence of a non-Append flag fails "error: the argument '--{flag} <X>' cannot be used multiple times" (format.rs:158; parser.rs:1181-1189), exit 2.`,
};
const bnAlias = findLine(BN, '.visible_aliases(');
const vcAlias = findLine(VC, '.visible_aliases(');
const out = {
  client: 'lighthouse',
  version: TAG,
  source: { repository: 'sigp/lighthouse', tag: TAG, commit, licence: 'Apache-2.0' },
  derivation: `node derive-lighthouse.mjs <sigp/lighthouse git dir> ${TAG} (recipe: lighthouse.md). Flags: clap builder Arg::new blocks in ${MAIN}, ${BN}, ${VC}; metrics: try_create_* calls with a literal (or same-file const) name. Error behaviour checked by hand in ${CLAP}.`,
  commands: {
    '': {
      flags: rootFlags,
      unknownFlag,
      badValue,
      positional:
        'a subcommand: beacon_node (aliases b, bn, beacon), boot_node, validator_client (aliases v, vc, validator), account_manager (a, am, account), validator_manager (vm, validator-manager), database_manager; with none, Lighthouse logs "No subcommand supplied. See --help ." and exits 1 (lighthouse/src/main.rs:' +
        findLine(MAIN, 'No subcommand supplied. See --help .') +
        ')',
    },
    bn: {
      flags: mergeGlobals(bnFlags),
      unknownFlag,
      badValue,
      positional: `none (no positional Arg in ${BN}); "bn" is a visible alias of the beacon_node subcommand (${BN}:${bnAlias})`,
    },
    vc: {
      flags: mergeGlobals(vcFlags),
      unknownFlag,
      badValue,
      positional: `none (no positional Arg in ${VC}); "vc" is a visible alias of the validator_client subcommand (${VC}:${vcAlias})`,
    },
  },
  configFiles: [],
  metrics: [
    {
      path: '/metrics',
      enabledBy:
        'lighthouse bn --metrics [--metrics-address A (default 127.0.0.1)] [--metrics-port P (default 5054)]; GET only',
      at: { file: 'beacon_node/http_metrics/src/lib.rs', line: 0 },
      names: [...bnM.names, ...procM.names],
    },
    {
      path: '/metrics',
      enabledBy:
        'lighthouse vc --metrics [--metrics-address A (default 127.0.0.1)] [--metrics-port P (default 5064)]; GET only',
      at: { file: 'validator_client/src/http_metrics/mod.rs', line: 0 },
      names: [...vcM.names, ...procM.names],
    },
  ],
  notes: [
    'Metric names are registered in the process-wide prometheus default registry (common/lighthouse_metrics/src/lib.rs:74-180) by lazy_static on first use: a name appears in /metrics only once its code path has run. Names are used verbatim (no namespace/prefix); counters are not suffixed by the library, the names already end in _total where the authors chose so; histograms add _bucket/_sum/_count.',
    'metrics[0] (bn) lists try_create_* names found under beacon_node/, common/, consensus/, slasher/ and lighthouse/src/; metrics[1] (vc) under validator_client/, common/ and lighthouse/src/. A common/ name only appears if the running process uses that crate (e.g. the bn does not run the vc code).',
    `The bn /metrics output also appends the libp2p/gossipsub prometheus-client registry (beacon_node/http_metrics/src/metrics.rs:${findLine('beacon_node/http_metrics/src/metrics.rs', 'gossipsub_registry')}, sub_registry_with_prefix("gossipsub") at beacon_node/lighthouse_network/src/service/mod.rs:${findLine('beacon_node/lighthouse_network/src/service/mod.rs', 'sub_registry_with_prefix("gossipsub")')}); those names are built in the rust-libp2p crates and are not listed here.`,
    'Flag kind: clap only validates values for flags with a value_parser (enum here). For the others the kind is read from the value_name (mapping in derive-lighthouse.mjs VN_KIND) and the value is parsed by Lighthouse in beacon_node/src/config.rs / validator_client/src/config.rs; a bad value fails with exit 1 (see badValue.note).',
    `Global flags (global(true) in ${MAIN}) are accepted both before and after the subcommand; they are listed under "" and again under bn/vc with at pointing at ${MAIN}.`,
    `--network values come from define_hardcoded_nets! (common/eth2_config/src/lib.rs:${findLine('common/eth2_config/src/lib.rs', 'define_hardcoded_nets!(\n')}); --network conflicts with --testnet-dir (${MAIN}:${findLine(MAIN, '.conflicts_with("testnet-dir")')}).`,
    `bn --http-address/--http-port require --http (ArgGroup "enable_http" of http, gui, staking at ${BN}:${findLine(BN, 'ArgGroup::new("enable_http")')}); bn/vc --metrics-address/--metrics-port require --metrics; a missing required flag fails in clap with exit 2.`,
    `vc --datadir conflicts with --validators-dir (${VC}:${findLine(VC, '.conflicts_with("datadir")')}).`,
    '"at" objects with a "repository" member point into that repository at that version, not into sigp/lighthouse.',
  ],
};
// locate warp::path("metrics") lines
for (const [i, f] of ['beacon_node/http_metrics/src/lib.rs', 'validator_client/src/http_metrics/mod.rs'].entries()) {
  const t = show(f);
  out.metrics[i].at.line = lineOf(t, t.indexOf('warp::path("metrics")'));
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
