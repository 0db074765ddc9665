#!/usr/bin/env node
// Derive the tmkms reference table (../FORMAT.md) from tmkms's own source at a tag.
//
//   node derive-tmkms.mjs <iqlusioninc/tmkms git dir> <tag> > ../tmkms-<tag>.json
//
// Plain Node.js ESM, no dependencies. Reads the tree with `git show <tag>:<path>` only.
// Every line number in the output is found here by a pattern in the file at that tag; a pattern
// that no longer matches stops the script (exit 1) instead of printing a stale line.
// Warnings (a new subcommand, a new config struct the mapping below does not know) go to stderr.
// Facts that live in dependencies not read by this script (clap, abscissa_core, serde, toml,
// iq-cometbft, cometbft-p2p) are stated as such in the notes; see tmkms.md.
import { execFileSync } from 'node:child_process';

const [DIR, TAG] = process.argv.slice(2);
if (!DIR || !TAG) {
  console.error('usage: node derive-tmkms.mjs <tmkms git dir> <tag>');
  process.exit(2);
}

const git = (...args) => execFileSync('git', ['-C', DIR, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
const files = new Map();
const src = (file) => {
  if (!files.has(file)) files.set(file, git('show', `${TAG}:${file}`).split('\n'));
  return files.get(file);
};
const warnings = [];
const warn = (m) => {
  warnings.push(m);
  console.error(`warning: ${m}`);
};

/** 1-based line of the nth line matching re at or after `from`. Throws when absent. */
function line(file, re, { from = 1, nth = 1 } = {}) {
  const L = src(file);
  let n = 0;
  for (let i = from - 1; i < L.length; i++) if (re.test(L[i]) && ++n === nth) return i + 1;
  throw new Error(`${TAG}:${file}: no line matches ${re} (from line ${from}, occurrence ${nth})`);
}
const at = (file, re, opt) => ({ file, line: line(file, re, opt) });
const ref = (file, re, opt) => `${file}:${line(file, re, opt)}`;
/** "file:a-b": the first line matching re1 and the first line matching re2 at or after it. */
function span(file, re1, re2, opt) {
  const a = line(file, re1, opt);
  const b = line(file, re2, { from: a });
  return a === b ? `${file}:${a}` : `${file}:${a}-${b}`;
}
/** Line inside a named struct/enum body. */
const inItem = (file, item, re) => line(file, re, { from: itemLine(file, item) });
function itemLine(file, item) {
  return line(file, new RegExp(`^\\s*pub (struct|enum) ${item}\\b`));
}

// ---------------------------------------------------------------- source, version, lockfile
const commit = git('rev-parse', `${TAG}^{commit}`).trim();
const cargo = src('Cargo.toml');
const version = /^version = "([^"]+)"/m.exec(cargo.join('\n'))[1];
const licence = /^license = "([^"]+)"/m.exec(cargo.join('\n'))[1];
const licenceText = src('LICENSE').slice(0, 5).join(' ');
if (licence === 'Apache-2.0' && !/Apache License\s+Version 2\.0/.test(licenceText.replace(/\s+/g, ' ')))
  warn('Cargo.toml says Apache-2.0 but LICENSE does not start with the Apache 2.0 text');

function locked(name) {
  const L = src('Cargo.lock');
  const i = L.findIndex((l) => l === `name = "${name}"`);
  if (i < 0) throw new Error(`Cargo.lock: no package ${name}`);
  const v = /^version = "([^"]+)"/.exec(L[i + 1])[1];
  return { version: v, at: `Cargo.lock:${i + 1}-${i + 2}` };
}
const LOCK = Object.fromEntries(
  [
    'clap',
    'clap_builder',
    'abscissa_core',
    'toml',
    'serde',
    'serde_json',
    'iq-cometbft',
    'iq-cometbft-config',
    'cometbft-p2p',
  ].map((n) => [n, locked(n)]),
);
const dep = (n) => `${n} ${LOCK[n].version} (${LOCK[n].at})`;

// ---------------------------------------------------------------- command line (clap derive)
// Each command stake or the lab may run: the file and the clap type that defines it.
// feature: the cargo feature that compiles the command in (src/commands.rs).
const COMMANDS = [
  { name: '', file: 'src/commands.rs', item: 'KmsCommand' },
  { name: 'init', file: 'src/commands/init.rs', item: 'InitCommand' },
  { name: 'start', file: 'src/commands/start.rs', item: 'StartCommand' },
  { name: 'version', file: 'src/commands/version.rs', item: 'VersionCommand' },
  { name: 'softsign', file: 'src/commands/softsign.rs', item: 'SoftsignCommand', feature: 'softsign' },
  { name: 'softsign keygen', file: 'src/commands/softsign/keygen.rs', item: 'KeygenCommand', feature: 'softsign' },
  { name: 'softsign import', file: 'src/commands/softsign/import.rs', item: 'ImportCommand', feature: 'softsign' },
  { name: 'yubihsm', file: 'src/commands/yubihsm.rs', item: 'YubihsmCommand', feature: 'yubihsm' },
  { name: 'yubihsm detect', file: 'src/commands/yubihsm/detect.rs', item: 'DetectCommand', feature: 'yubihsm' },
  { name: 'yubihsm keys', file: 'src/commands/yubihsm/keys.rs', item: 'KeysCommand', feature: 'yubihsm' },
  {
    name: 'yubihsm keys export',
    file: 'src/commands/yubihsm/keys/export.rs',
    item: 'ExportCommand',
    feature: 'yubihsm',
  },
  {
    name: 'yubihsm keys generate',
    file: 'src/commands/yubihsm/keys/generate.rs',
    item: 'GenerateCommand',
    feature: 'yubihsm',
  },
  {
    name: 'yubihsm keys import',
    file: 'src/commands/yubihsm/keys/import.rs',
    item: 'ImportCommand',
    feature: 'yubihsm',
  },
  { name: 'yubihsm keys list', file: 'src/commands/yubihsm/keys/list.rs', item: 'ListCommand', feature: 'yubihsm' },
  { name: 'yubihsm setup', file: 'src/commands/yubihsm/setup.rs', item: 'SetupCommand', feature: 'yubihsm' },
  { name: 'yubihsm test', file: 'src/commands/yubihsm/test.rs', item: 'TestCommand', feature: 'yubihsm' },
  { name: 'ledger', file: 'src/commands/ledger.rs', item: 'LedgerCommand', feature: 'ledger' },
  { name: 'ledger init', file: 'src/commands/ledger.rs', item: 'InitCommand', feature: 'ledger' },
];

/** The body lines of `pub struct|enum Item { ... }` with their 1-based numbers (brace matched). */
function body(file, item) {
  const L = src(file);
  const start = itemLine(file, item);
  const out = [];
  if (/\{\s*\}\s*$/.test(L[start - 1])) return { start, end: start, lines: out };
  let depth = 0;
  for (let i = start - 1; i < L.length; i++) {
    const code = L[i].replace(/\/\/.*$/, '').replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const ch of code) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (i > start - 1) out.push({ n: i + 1, text: L[i] });
    if (depth === 0 && i > start - 1) return { start, end: i + 1, lines: out.slice(0, -1) };
  }
  throw new Error(`${file}: unterminated ${item}`);
}

/** The `#[derive(...)]` line that belongs to an item (for clap's generated --help). */
function deriveLine(file, item) {
  const L = src(file);
  for (let i = itemLine(file, item) - 2; i >= 0; i--) {
    if (/^\s*#\[derive\(/.test(L[i])) return i + 1;
    if (!/^\s*(#\[|\/\/)/.test(L[i])) break;
  }
  throw new Error(`${file}: no #[derive] above ${item}`);
}

/** Variants of a clap Subcommand enum: `Name(Type)` -> kebab-case subcommand names. */
function subcommandsOf(file, item) {
  const kebab = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return body(file, item)
    .lines.map((l) => /^\s*([A-Z]\w*)\(\w+\),/.exec(l.text)?.[1])
    .filter(Boolean)
    .map(kebab);
}

const KIND = [
  [/^(Option<)?PathBuf>?$/, 'path'],
  [/^bool$/, 'bool'],
  [/^(Option<)?String>?$/, 'string'],
  [/^(Option<)?(u8|u16|u32|u64|usize)>?$/, 'uint'],
  [/^(Option<)?(i8|i16|i32|i64|isize)>?$/, 'int'],
  [/^(Option<)?yubihsm::object::Id>?$/, 'uint'],
];
const kindOf = (type) => KIND.find(([re]) => re.test(type))?.[1];

/** Flags and positionals of a clap derive struct. */
function clapArgs(file, item) {
  const flags = [];
  const positionals = [];
  let attrs = [];
  for (const { n, text } of body(file, item).lines) {
    const t = text.trim();
    if (t.startsWith('#[clap(') || t.startsWith('#[arg(')) {
      attrs.push({ n, text: t });
      continue;
    }
    if (t.startsWith('#[') && /clap|arg|command/.test(t)) warn(`${file}:${n}: unhandled attribute ${t}`);
    const f = /^(?:pub(?:\([^)]*\))?\s+)?(\w+):\s*(.+?),?$/.exec(t);
    if (!f || t.startsWith('//')) continue;
    const [, field, type] = f;
    const attr = attrs.map((a) => a.text).join(' ');
    const short = /short\s*=\s*'(.)'/.exec(attr)?.[1] ?? (/\bshort\b(?!\s*=)/.test(attr) ? field[0] : undefined);
    const long =
      /long\s*=\s*"([^"]+)"/.exec(attr)?.[1] ?? (/\blong\b(?!\s*=)/.test(attr) ? field.replace(/_/g, '-') : undefined);
    if (!attrs.length || (!short && !long)) {
      positionals.push({ field, type, line: n });
    } else {
      const kind = kindOf(type);
      if (!kind) warn(`${file}:${n}: no flag kind for type ${type}`);
      flags.push({
        field,
        name: long ?? short,
        aliases: long && short ? [short] : undefined,
        kind,
        type,
        required: !/^Option</.test(type) && type !== 'bool',
        at: { file, line: attrs[0].n },
      });
    }
    attrs = [];
  }
  return { flags, positionals };
}

// Hand-checked facts about individual flags, keyed "command|flag" (value checks done by tmkms
// itself after clap, which the table's kinds cannot express).
const FLAG_NOTES = {
  'start|config': () =>
    `path to tmkms.toml; without it env TMKMS_CONFIG_FILE, else tmkms.toml in the working directory (${span('src/commands.rs', /let path = config/, /unwrap_or_else\(\|\| PathBuf::from\(CONFIG_FILE_NAME\)\)/)})`,
  'start|verbose': () =>
    `selects abscissa's trace::Config::verbose() (${span('src/application.rs', /fn tracing_config/, /trace::Config::default\(\)/)}; ${ref('src/commands.rs', /KmsCommand::Start\(run\) => run.verbose/)}); the level it sets is abscissa's, not read here`,
  'init|networks': () =>
    `comma separated (${ref('src/commands/init.rs', /chain_ids.split\(','\)/)}); each must be one of the values or tmkms prints "unknown CometBFT network: \`{value}\`" plus the registered list on stderr and exits 1 (${span('src/commands/init/networks.rs', /pub fn parse/, /process::exit\(1\)/)}); default cosmoshub (${ref('src/commands/init.rs', /networks.push\(Network::CosmosHub\)/)})`,
  'softsign keygen|type': () =>
    `checked by tmkms, not clap: default "consensus" (${ref('src/commands/softsign/keygen.rs', /DEFAULT_KEY_TYPE: &str = "consensus"/)}); other values: "unknown key type: {value} (must be 'account' or 'consensus')", exit 1 (${span('src/commands/softsign/keygen.rs', /other => \{/, /process::exit\(1\)/)})`,
  'softsign import|f': () =>
    `short flag only (no long name). Parsed by tmkms with KeyFormat::from_str: "base64" or "json", else status_err "{error} (must be 'json' or 'raw')" where {error} is the config-error context around "invalid key format: {value}" (its display prefix is abscissa's), exit 1 (${span('src/commands/softsign/import.rs', /f.parse::<KeyFormat>\(\)/, /process::exit\(1\)/)}; ${span('src/config/provider/softsign.rs', /impl FromStr for KeyFormat/, /invalid key format/)}); anything but json then fails "invalid format: Base64 (must be 'json')", exit 1 (${span('src/commands/softsign/import.rs', /if format != KeyFormat::Json/, /process::exit\(1\)/)}). Default json (${ref('src/commands/softsign/import.rs', /unwrap_or\(KeyFormat::Json\)/)}). The help text's 'raw' is not accepted.`,
  'yubihsm detect|config': () =>
    `accepted but unused: YubihsmCommand::config_path returns None for detect (${ref('src/commands/yubihsm.rs', /_ => None,/)}), so the config is still loaded from env TMKMS_CONFIG_FILE or ./tmkms.toml (${span('src/commands.rs', /let path = config/, /unwrap_or_else\(\|\| PathBuf::from\(CONFIG_FILE_NAME\)\)/)})`,
  'yubihsm keys generate|t': () => 'short flag only (no long name)',
  'yubihsm keys import|t': () => 'short flag only (no long name); wrap, base64 or json per its doc comment',
  'yubihsm keys generate|wrapkey': () =>
    'type yubihsm::object::Id (a yubihsm 0.42 type, taken here as an unsigned integer; not read)',
  'ledger init|height': () =>
    `Option<i64> but unwrapped: omitting it panics (${ref('src/commands/ledger.rs', /height: self.height.unwrap\(\)/)})`,
  'ledger init|round': () =>
    `Option<i64> but unwrapped: omitting it panics (${ref('src/commands/ledger.rs', /round: self.round.unwrap\(\) as i32/)})`,
};
const FLAG_VALUES = {
  'init|networks': () => {
    const b = body('src/commands/init/networks.rs', 'Network');
    void b;
    const L = src('src/commands/init/networks.rs');
    const from = line('src/commands/init/networks.rs', /pub fn parse/);
    const out = [];
    for (let i = from; i < L.length && !/other =>/.test(L[i]); i++) {
      const m = /^\s*"([^"]+)" => Network::/.exec(L[i]);
      if (m) out.push(m[1]);
    }
    return out;
  },
  'softsign keygen|type': () => {
    const L = src('src/commands/softsign/keygen.rs');
    return L.map((l) => /^\s*"(\w+)" => generate_/.exec(l)?.[1]).filter(Boolean);
  },
};
const FLAG_KIND = { 'init|networks': 'list', 'softsign keygen|type': 'enum' };

const POSITIONAL = {
  '': () =>
    `a subcommand (init, start, version; softsign, yubihsm, ledger when compiled in: ${span('src/commands.rs', /pub enum KmsCommand/, /^\}/)}). With no arguments the exit code is 2 (tests/cli/mod.rs test_usage, ${ref('tests/cli/mod.rs', /assert_eq!\(status_code, 2\)/)}); what is printed is clap's`,
  init: () =>
    `exactly one KMS_HOME path; otherwise "Usage: tmkms init [-f] KMS_HOME_PATH" on stderr (eprintln) and exit 1 (${span('src/commands/init.rs', /if self.output_paths.len\(\) != 1/, /process::exit\(1\)/)}). The usage text's -f does not exist`,
  start: () => "none declared (clap refuses an unexpected positional; its wording is clap's)",
  version: () =>
    `none; prints CARGO_PKG_VERSION ("${version}") on stdout and exits 0 (${span('src/commands/version.rs', /println!/, /process::exit\(0\)/)})`,
  softsign: () =>
    `a subcommand: keygen or import (${span('src/commands/softsign.rs', /pub enum SoftsignCommand/, /^\}/)})`,
  'softsign keygen': () =>
    `exactly one output PATH; otherwise "Usage: tmkms softsign keygen [-t account,consensus] PATH" on stderr, exit 1 (${span('src/commands/softsign/keygen.rs', /if self.output_paths.len\(\) != 1/, /process::exit\(1\)/)}). Writes base64 of a fresh 32-byte Ed25519 seed (consensus) or secp256k1 scalar (account), mode 0600`,
  'softsign import': () =>
    `exactly two: INPUT (a CometBFT priv_validator_key.json) and OUTPUT; otherwise "expected 2 arguments, got N" + usage on stderr, exit 1 (${span('src/commands/softsign/import.rs', /if self.paths.len\(\) != 2/, /process::exit\(1\)/)}). Writes base64 of the 32-byte Ed25519 seed (${ref('src/commands/softsign/import.rs', /PrivateKey::Ed25519\(sk\) =>/)})`,
  yubihsm: () =>
    `a subcommand: detect, keys, setup, test (${span('src/commands/yubihsm.rs', /pub enum YubihsmCommand/, /^\}/)})`,
  'yubihsm keys': () =>
    `a subcommand: export, generate, import, list (${span('src/commands/yubihsm/keys.rs', /pub enum KeysCommand/, /^\}/)}); none: exit 2 (${ref('tests/cli/yubihsm/keys.rs', /assert_eq!\(status_code, 2\)/)})`,
  ledger: () => `a subcommand: init (${span('src/commands/ledger.rs', /pub enum LedgerCommand/, /^\}/)})`,
};

const CLAP_UNVERIFIED =
  `clap ${LOCK.clap.version} (${LOCK.clap.at}; clap_builder ${LOCK.clap_builder.version}, ${LOCK.clap_builder.at}) parses the command line through abscissa_core ${LOCK.abscissa_core.version} (${LOCK.abscissa_core.at}); neither is on this machine, so the wording is clap's and is NOT recorded here ("{clap error}" stands for it). ` +
  `Exit code 2: the tree shows it for clap usage errors (no subcommand: ${ref('tests/cli/mod.rs', /assert_eq!\(status_code, 2\)/)}; \`yubihsm keys\` without a subcommand: ${ref('tests/cli/yubihsm/keys.rs', /assert_eq!\(status_code, 2\)/)}), not for an unknown flag specifically. ` +
  "Stream stderr: clap's convention for errors, not shown in this tree. For comparison, lighthouse-v5.3.0.json in this directory records clap 4.5.10's form read from clap's source: \"error: unexpected argument '{flag}' found\" (then usage and \"For more information, try '--help'.\"), exit 2; 4.5.51 was not read.";

function commandTable(c) {
  const derive = deriveLine(c.file, c.item);
  const isEnum = new RegExp(`pub enum ${c.item}\\b`).test(src(c.file)[itemLine(c.file, c.item) - 1]);
  const { flags, positionals } = isEnum ? { flags: [], positionals: [] } : clapArgs(c.file, c.item);
  const out = flags.map((f) => {
    const key = `${c.name}|${f.name}`;
    const o = { name: f.name, kind: FLAG_KIND[key] ?? f.kind };
    if (f.aliases) o.aliases = f.aliases;
    if (FLAG_VALUES[key]) o.values = FLAG_VALUES[key]();
    if (f.required) o.required = true;
    o.at = f.at;
    const notes = [];
    if (FLAG_NOTES[key]) notes.push(FLAG_NOTES[key]());
    if (f.required) notes.push(`required by clap (field type ${f.type} is neither Option nor bool)`);
    notes.push(
      f.kind === 'bool'
        ? 'switch (bool field: clap ArgAction::SetTrue, takes no value); "repeatable" left out: what clap does with a second occurrence was not read'
        : 'takes one value; "repeatable" left out: what clap does with a second occurrence was not read',
    );
    o.note = notes.join('; ');
    return o;
  });
  out.push({
    name: 'help',
    kind: 'bool',
    aliases: ['h'],
    at: { file: c.file, line: derive },
    note: `not declared in tmkms: clap's derive(Parser/Subcommand) adds -h/--help to every command by default (clap ${LOCK.clap.version}, not read here); prints help and exits 0`,
  });
  const t = { flags: out };
  if (c.feature) t.feature = c.feature;
  t.unknownFlag = {
    exitCode: 2,
    stream: 'stderr',
    message: '{clap error}',
    at: { file: c.file, line: derive },
    note: CLAP_UNVERIFIED,
  };
  const badValue = {
    'softsign keygen': {
      exitCode: 1,
      stream: 'stderr',
      message: "unknown key type: {value} (must be 'account' or 'consensus')",
      at: at('src/commands/softsign/keygen.rs', /"unknown key type: \{\} \(must be 'account' or 'consensus'\)"/),
      note: `tmkms's own check of -t (status_err!, then process::exit(1)); status_err! output is on stderr (${ref('tests/cli/yubihsm/keys/list.rs', /stderr.contains\("no keys in this YubiHSM"\)/)} for ${ref('src/commands/yubihsm/keys/list.rs', /status_err!\("no keys in this YubiHSM/)}), its prefix is abscissa's (not read). A missing value after -t is clap's error, exit 2`,
    },
    init: {
      exitCode: 1,
      stream: 'stderr',
      message: 'unknown CometBFT network: `{value}`',
      at: at('src/commands/init/networks.rs', /status_err!\("unknown CometBFT network/),
      note: 'tmkms\'s own check of each -n entry, followed by "\\nRegistered networks:" and "- <name>" lines (eprintln), exit 1; status_err! prefix is abscissa\'s (not read). A missing value after -n is clap\'s error, exit 2',
    },
  }[c.name];
  t.badValue = badValue ?? {
    exitCode: 2,
    stream: 'stderr',
    message: '{clap error}',
    at: { file: c.file, line: derive },
    note: "clap value_parser failure (an integer flag given a non-integer, a missing value, a value given to a switch); wording is clap's, not recorded; exit 2 as for unknownFlag",
  };
  if (POSITIONAL[c.name]) t.positional = POSITIONAL[c.name]();
  else if (positionals.length)
    t.positional = positionals
      .map(
        (p) =>
          `${p.field}: ${p.type} (${c.file}:${p.line})${/^(Vec|Option)</.test(p.type) ? '' : ', required by clap'}`,
      )
      .join('; ');
  else t.positional = 'none declared';
  return t;
}

// check the command list against the clap enums
{
  const expected = new Map([
    ['', subcommandsOf('src/commands.rs', 'KmsCommand')],
    ['softsign', subcommandsOf('src/commands/softsign.rs', 'SoftsignCommand')],
    ['yubihsm', subcommandsOf('src/commands/yubihsm.rs', 'YubihsmCommand')],
    ['yubihsm keys', subcommandsOf('src/commands/yubihsm/keys.rs', 'KeysCommand')],
    ['ledger', subcommandsOf('src/commands/ledger.rs', 'LedgerCommand')],
  ]);
  for (const [parent, subs] of expected)
    for (const s of subs) {
      const full = parent ? `${parent} ${s}` : s;
      if (!COMMANDS.some((c) => c.name === full)) warn(`subcommand "${full}" is not in COMMANDS`);
    }
}
const commands = Object.fromEntries(COMMANDS.map((c) => [c.name, commandTable(c)]));
for (const [n, c] of Object.entries(commands))
  for (const f of c.flags) if (!f.kind) warn(`command "${n}" flag ${f.name} has no kind`);

// ---------------------------------------------------------------- tmkms.toml (serde structs)
/** Parse a serde struct or enum: item attributes, fields (or variants with fields). */
function serdeItem(file, item) {
  const L = src(file);
  const start = itemLine(file, item);
  const attrs = [];
  for (let i = start - 2; i >= 0 && /^\s*(#\[|\/\/)/.test(L[i]); i--) attrs.unshift({ n: i + 1, text: L[i].trim() });
  const serdeAttr = attrs
    .filter((a) => a.text.startsWith('#[serde('))
    .map((a) => a.text)
    .join(' ');
  const cfg = attrs.map((a) => /#\[cfg\(feature = "([^"]+)"\)\]/.exec(a.text)?.[1]).find(Boolean);
  const kindWord = /pub (struct|enum)/.exec(L[start - 1])[1];
  const it = {
    file,
    item,
    kind: kindWord,
    line: start,
    deny: /deny_unknown_fields/.test(serdeAttr),
    denyLine: attrs.find((a) => /deny_unknown_fields/.test(a.text))?.n,
    tag: /tag = "([^"]+)"/.exec(serdeAttr)?.[1],
    tagLine: attrs.find((a) => /tag = "/.test(a.text))?.n,
    untagged: /\buntagged\b/.test(serdeAttr),
    renameAll: /rename_all = "([^"]+)"/.exec(serdeAttr)?.[1],
    feature: cfg,
    fields: [],
    variants: [],
  };
  if (/\(\w+\);\s*$/.test(L[start - 1])) {
    it.newtype = /\((\w+)\);/.exec(L[start - 1])[1];
    return it;
  }
  let pending = [];
  let variant = null;
  for (const { n, text } of body(file, item).lines) {
    const t = text.trim();
    if (!t || t.startsWith('//')) continue;
    if (t.startsWith('#[')) {
      pending.push({ n, text: t });
      continue;
    }
    const fieldAttr = pending.map((p) => p.text).join(' ');
    const field = () => ({
      name: /rename = "([^"]+)"/.exec(fieldAttr)?.[1],
      rust: null,
      type: null,
      line: n,
      default: /#\[serde\([^\]]*\bdefault\b(?!\s*=)/.test(fieldAttr) ? true : /default = "(\w+)"/.exec(fieldAttr)?.[1],
      defaultLine: pending.find((p) => /\bdefault\b/.test(p.text))?.n,
      flatten: /\bflatten\b/.test(fieldAttr),
      feature: /#\[cfg\(feature = "([^"]+)"\)\]/.exec(fieldAttr)?.[1],
      featureLine: pending.find((p) => /#\[cfg\(feature/.test(p.text))?.n,
      isDefault: /#\[default\]/.test(fieldAttr),
    });
    if (kindWord === 'struct' || variant) {
      const m = /^(?:pub\s+)?(\w+):\s*(.+?),?$/.exec(t);
      if (m) {
        const f = field();
        f.rust = m[1];
        f.name ??= m[1];
        f.type = m[2];
        (variant ? variant.fields : it.fields).push(f);
        pending = [];
        continue;
      }
      if (variant && /^\},?$/.test(t)) {
        variant = null;
        pending = [];
        continue;
      }
    }
    if (kindWord === 'enum' && !variant) {
      const m = /^([A-Z]\w*)\s*(\{|\((.+)\),|,)$/.exec(t);
      if (m) {
        const v = {
          rust: m[1],
          name: /rename = "([^"]+)"/.exec(fieldAttr)?.[1],
          line: n,
          fields: [],
          newtype: m[3],
          isDefault: /#\[default\]/.test(fieldAttr),
        };
        if (!v.name && it.renameAll === 'snake_case')
          v.name = v.rust.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
        v.name ??= v.rust;
        it.variants.push(v);
        if (m[2] === '{') variant = v;
        pending = [];
        continue;
      }
    }
    pending = [];
  }
  return it;
}

/** Values of a plain string enum (variant renames), and its default variant if any. */
function enumValues(file, item) {
  const e = serdeItem(file, item);
  const values = e.variants.map((v) => v.name);
  let def = e.variants.find((v) => v.isDefault);
  let defLine = def ? def.line : undefined;
  if (!def) {
    const L = src(file);
    const i = L.findIndex((l) => new RegExp(`impl Default for ${item}\\b`).test(l));
    if (i >= 0)
      for (let j = i; j < L.length && j < i + 10; j++) {
        const m = new RegExp(`${item}::(\\w+)`).exec(L[j]);
        if (m) {
          def = e.variants.find((v) => v.rust === m[1]);
          defLine = j + 1;
          break;
        }
      }
  }
  return {
    values,
    default: def?.name,
    at: { file, line: e.line },
    defaultAt: defLine ? `${file}:${defLine}` : undefined,
  };
}

const ENUMS = {
  KeyType: () => enumValues('src/config/provider.rs', 'KeyType'),
  KeyFormat: () => enumValues('src/config/provider/softsign.rs', 'KeyFormat'),
  ProtocolVersion: () => enumValues('src/config/validator.rs', 'ProtocolVersion'),
};

// TOML shape of each Rust field type (serde's mapping; the iq-cometbft newtypes are not read here).
const TYPES = [
  [/^Vec<chain::Id>$/, 'array of strings (chain ids)'],
  [/^Vec<OsString>$/, 'array of strings'],
  [
    /^Vec<(ChainConfig|ValidatorConfig|SoftsignConfig|YubihsmConfig|LedgerTendermintConfig|FortanixDsmConfig)>$/,
    'array of tables',
  ],
  [/^Vec<SigningKeyConfig>$/, 'array of tables'],
  [/^ProviderConfig$/, 'table'],
  [/^keyring::Format$/, 'inline table, tagged by type'],
  [/^AdapterConfig$/, 'inline table, tagged by type'],
  [/^AuthConfig$/, 'inline table (untagged: one of two field sets)'],
  [/^Option<(HookConfig|ConnectorServerConfig|CliConfig)>$/, 'inline table'],
  [/^KeyDescriptor$/, 'flattened: one of the keys key_id, key_name'],
  [/^(Option<)?chain::Id>?$/, 'string (chain id)'],
  [/^(Option<)?(PathBuf|SoftPrivateKey)>?$/, 'string (path)'],
  [/^(Option<)?net::Address>?$/, 'string (address)'],
  [/^(Option<)?bool>?$/, 'bool'],
  [/^(Option<)?u16>?$/, 'integer (u16)'],
  [/^(Option<)?u64>?$/, 'integer (u64)'],
  [/^(Option<)?(String|Password)>?$/, 'string'],
  [/^(Option<)?Uuid>?$/, 'string (uuid)'],
  [/^Option<cometbft::block::Height>$/, 'block height (iq-cometbft block::Height)'],
  [/^(Option<)?(KeyType|KeyFormat|ProtocolVersion)>?$/, 'string (enum)'],
];
const tomlType = (t) => TYPES.find(([re]) => re.test(t))?.[1];

// Where each struct sits in tmkms.toml (the path conventions of the brief).
const STRUCTS = [
  ['src/config.rs', 'KmsConfig', ''],
  ['src/config/chain.rs', 'ChainConfig', 'chain[].'],
  ['src/keyring/format.rs', 'Format', 'chain[].key_format.'],
  ['src/config/chain/hook.rs', 'HookConfig', 'chain[].state_hook.'],
  ['src/config/validator.rs', 'ValidatorConfig', 'validator[].'],
  ['src/config/provider.rs', 'ProviderConfig', 'providers.'],
  ['src/config/provider/softsign.rs', 'SoftsignConfig', 'providers.softsign[].'],
  ['src/config/provider/yubihsm.rs', 'YubihsmConfig', 'providers.yubihsm[].'],
  ['src/config/provider/yubihsm.rs', 'AdapterConfig', 'providers.yubihsm[].adapter.'],
  ['src/config/provider/yubihsm.rs', 'AuthConfig', 'providers.yubihsm[].auth.'],
  ['src/config/provider/yubihsm.rs', 'SigningKeyConfig', 'providers.yubihsm[].keys[].'],
  ['src/config/provider/yubihsm.rs', 'ConnectorServerConfig', 'providers.yubihsm[].connector_server.'],
  ['src/config/provider/yubihsm.rs', 'CliConfig', 'providers.yubihsm[].connector_server.cli.'],
  ['src/config/provider/ledgertm.rs', 'LedgerTendermintConfig', 'providers.ledgertm[].'],
  ['src/config/provider/fortanixdsm.rs', 'FortanixDsmConfig', 'providers.fortanixdsm[].'],
  ['src/config/provider/fortanixdsm.rs', 'SigningKeyConfig', 'providers.fortanixdsm[].signing_keys[].'],
  ['src/config/provider/fortanixdsm.rs', 'KeyDescriptor', 'providers.fortanixdsm[].signing_keys[].'],
];
// Types that deserialize a single value (newtypes / plain enums), not tables of their own.
const LEAF_TYPES = new Set(['KeyType', 'KeyFormat', 'ProtocolVersion', 'SoftPrivateKey', 'Password']);

// A new Deserialize type under src/config that the mapping does not know is a warning.
{
  const cfgFiles = git('ls-tree', '-r', '--name-only', TAG, 'src/config', 'src/config.rs', 'src/keyring/format.rs')
    .split('\n')
    .filter((f) => f.endsWith('.rs'));
  for (const f of cfgFiles) {
    const L = src(f);
    L.forEach((l, i) => {
      const m = /^\s*pub (?:struct|enum) (\w+)/.exec(l);
      if (!m) return;
      let derives = '';
      for (let j = i - 1; j >= 0 && /^\s*(#\[|\/\/)/.test(L[j]); j--) derives += L[j];
      if (!/Deserialize/.test(derives)) return;
      if (!STRUCTS.some(([sf, si]) => sf === f && si === m[1]) && !LEAF_TYPES.has(m[1]) && m[1] !== 'PublicKeyJson')
        warn(`${f}:${i + 1}: Deserialize type ${m[1]} is not mapped to a tmkms.toml path`);
    });
  }
}

/** The cargo feature a file's types exist under: the #[cfg(feature)] above its `pub mod`. */
function moduleFeature(file) {
  const m = /^src\/config\/provider\/(\w+)\.rs$/.exec(file);
  if (!m) return undefined;
  const L = src('src/config/provider.rs');
  const i = L.findIndex((l) => l.trim() === `pub mod ${m[1]};`);
  return i > 0 ? /#\[cfg\(feature = "([^"]+)"\)\]/.exec(L[i - 1])?.[1] : undefined;
}

// Hand-checked runtime defaults and notes for fields whose serde type is Option (the default is
// applied by tmkms code, not by serde), keyed by path.
const KEY_EXTRA = {
  providers: () => ({
    note: "no #[serde(default)]: a file without any [providers] / [[providers.*]] table fails with serde's missing-field error (serde rule). Which members exist depends on the cargo features compiled in",
  }),
  'chain[].id': () => ({
    note: `iq-cometbft chain::Id (${dep('iq-cometbft')}); its length/charset validation is in that crate, not read here. A repeated id: "chain ID already registered: {id}" (${ref('src/chain/registry.rs', /chain ID already registered/)})`,
  }),
  'chain[].key_format': () => ({
    note: `keyring::Format (${ref('src/keyring/format.rs', /pub enum Format/)}) has no deny_unknown_fields: extra keys inside key_format are ignored (serde rule). It only changes how public keys are printed in logs (${ref('src/keyring/format.rs', /pub fn serialize/)})`,
  }),
  'chain[].state_file': () => ({
    default: '{id}_priv_validator_state.json',
    defaultAt: span('src/chain.rs', /let state_file = match config.state_file/, /_priv_validator_state.json/),
    note: 'default is relative to the working directory; a missing file is created (height 0, see notes); its directory must exist',
  }),
  'chain[].state_hook.timeout_secs': () => ({
    default: Number(/DEFAULT_TIMEOUT_SECS: u64 = (\d+)/.exec(src('src/chain/state/hook.rs').join('\n'))[1]),
    defaultAt: `${ref('src/chain/state/hook.rs', /const DEFAULT_TIMEOUT_SECS/)}, ${ref('src/chain/state/hook.rs', /unwrap_or\(DEFAULT_TIMEOUT_SECS\)/)}`,
    note: `the doc comment says default 5 (${ref('src/config/chain/hook.rs', /default 5/)}); the code uses the constant`,
  }),
  'chain[].state_hook.cmd': () => ({
    note: `argv: cmd[0] is the program (${ref('src/chain/state/hook.rs', /Command::new\(&config.cmd\[0\]\)/)}). Its stdout is not piped (${span('src/chain/state/hook.rs', /Command::new\(&config.cmd\[0\]\)/, /\.spawn\(\)\?;/)}), so child.stdout is None and a hook that exits 0 still fails with "couldn't consume stdout from child" (${span('src/chain/state/hook.rs', /if let Some\(stdout\) = child.stdout/, /couldn't consume stdout from child/)}); that is std::process behaviour, read from the code and not run. The expected output is JSON {"latest_block_height": "<height>"} (${ref('src/chain/state/hook.rs', /pub latest_block_height: block::Height/)}; ${ref('tmkms.toml.example', /latest_block_height/)}), applied only when it is above the state's height by less than ${/BLOCK_HEIGHT_SANITY_LIMIT: u64 = (\d+)/.exec(src('src/chain/state/hook.rs').join('\n'))[1]} (${ref('src/chain/state.rs', /if delta < hook::BLOCK_HEIGHT_SANITY_LIMIT/)})`,
  }),
  'chain[].state_hook.fail_closed': () => ({
    note: `required (no serde default). true: a hook error stops start; false: logged "error invoking state hook for chain {id}: {e}" and start continues (${span('src/chain.rs', /if hook.fail_closed/, /error invoking state hook/)}). tmkms.toml.example's commented state_hook has no fail_closed (${ref('tmkms.toml.example', /# state_hook = /)})`,
  }),
  'validator[].addr': () => ({
    note: `cometbft_config::net::Address (${dep('iq-cometbft-config')}, not read here): tcp://[<node id>@]host:port or unix://<path>. The <node id>@ part is checked after the handshake (see notes)`,
  }),
  'validator[].chain_id': () => ({
    note: `must be a [[chain]] id, else "unregistered chain: {id} (add it to tmkms.toml's [[chain]] section)" and exit 1 (${span('src/client.rs', /pub fn register_chain/, /exit\(1\)/)})`,
  }),
  'validator[].timeout': () => ({
    default: Number(/DEFAULT_TIMEOUT: u16 = (\d+)/.exec(src('src/connection/tcp.rs').join('\n'))[1]),
    defaultAt: `${ref('src/connection/tcp.rs', /const DEFAULT_TIMEOUT: u16/)}, ${ref('src/connection/tcp.rs', /unwrap_or\(DEFAULT_TIMEOUT\)/)}`,
    note: `seconds; TCP read/write timeouts (${span('src/connection/tcp.rs', /let timeout = Duration::from_secs/, /set_write_timeout/)}); the TCP connect itself has none (${ref('src/connection/tcp.rs', /TcpStream::connect/)}); unix sockets: only a warning "timeouts not supported with Unix sockets" (${ref('src/session.rs', /timeouts not supported with Unix sockets/)})`,
  }),
  'validator[].secret_key': () => ({
    note: `optional to the parser but required for tcp:// addresses: "config error: no \`secret_key\` for validator: {host}:{port}" (${span('src/connection/tcp.rs', /let identity_key_path = identity_key_path/, /\}\)\?;/)}); unused for unix://. File format: see notes`,
  }),
  'validator[].max_height': () => ({
    note: `iq-cometbft block::Height (${dep('iq-cometbft')}); its TOML form is that crate's (not read here); tmkms.toml.example writes it as a string (${ref('tmkms.toml.example', /max_height = "/)}). Above it: "requested signature above stop height: attempted to sign at height H which is greater than M" (${span('src/session.rs', /fn check_max_height/, /max_height,/)}; ${ref('src/error.rs', /requested signature above stop height/)})`,
  }),
  'validator[].protocol_version': () => ({
    default: 'v0.38',
    defaultAt: `${ref('src/config/validator.rs', /#\[default\]/)} (absent = None, which ${ref('src/session.rs', /config.protocol_version == Some\(ProtocolVersion::V0_34\)/)} treats like v0.38)`,
    note: `"v0.34" logs WARN "[{chain_id}]: deprecated \`protocol_version\` v0.34 (update to v0.38)! Will be a hard error in next release" (${span('src/session.rs', /config.protocol_version == Some\(ProtocolVersion::V0_34\)/, /Will be a hard error/)}); tmkms init writes "v0.34" (${ref('src/commands/init/templates/validator.toml', /protocol_version/)})`,
  }),
  'validator[].reconnect': () => ({
    note: `after any session error: sleep RESPAWN_DELAY and redial when true; end the thread when false (${span('src/client.rs', /if config.reconnect/, /return Err\(e\)/)})`,
  }),
  'providers.softsign[].key_format': () => ({
    default: 'base64',
    defaultAt: `${ref('src/keyring/providers/softsign.rs', /config.key_format.as_ref\(\).cloned\(\).unwrap_or_default\(\)/)}; ${ref('src/config/provider/softsign.rs', /#\[default\]/)}`,
    note: `json = CometBFT priv_validator_key.json (${span('src/keyring/providers/softsign.rs', /KeyFormat::Json => \{/, /\.priv_key;/)}); account keys must be base64: "[[providers.softsign]] account keys must be \`base64\` encoded" (${span('src/keyring/providers/softsign.rs', /if config.key_format.unwrap_or_default\(\) != KeyFormat::Base64/, /account keys must be/)})`,
  }),
  'providers.softsign[].key_type': () => ({
    note: `only one consensus entry: "only one [[providers.softsign]] consensus key allowed" (${span('src/keyring/providers/softsign.rs', /if loaded_consensus_key/, /consensus key allowed/)})`,
  }),
  'providers.softsign[].path': () => ({
    note: `base64: 32-byte seed, 64-byte expanded key or 96-byte YubiHSM export (${span('src/keyring/ed25519/signing_key.rs', /fn try_from\(slice: &\[u8\]\)/, /expected 32, 64, or 96/)}); trailing whitespace trimmed (${ref('src/key_utils.rs', /base64::decode\(base64_data.trim_end\(\)\)/)})`,
  }),
  'providers.softsign[].chain_ids': () => ({
    note: `each must be a [[chain]] id: "can't add Ed25519 signer {provider} to unregistered chain: {id}" (${span('src/chain/registry.rs', /pub fn add_consensus_key/, /to unregistered chain/)})`,
  }),
  'providers.yubihsm': () => ({
    note: `at most one entry: "expected one [yubihsm.provider] in config, found: N" (${ref('src/keyring/providers/yubihsm.rs', /expected one \[yubihsm.provider\] in config/)})`,
  }),
  'providers.ledgertm': () => ({
    note: `at most one entry: "expected one [providers.ledgertm] in config, found: N" (${ref('src/keyring/providers/ledgertm.rs', /expected one \[providers.ledgertm\] in config/)})`,
  }),
  'providers.yubihsm[].auth.password_file': () => ({
    note: `read at use and trailing whitespace trimmed (${span('src/config/provider/yubihsm.rs', /AuthConfig::Path \{ key, password_file \} =>/, /trim_end/)})`,
  }),
  'providers.fortanixdsm[].signing_keys[].key_id': () => ({
    note: "SigningKeyConfig has deny_unknown_fields together with #[serde(flatten)] on KeyDescriptor; how serde treats unknown keys in that combination is serde's (not read here)",
  }),
};

function keysOf() {
  const keys = [];
  const perStruct = [];
  for (const [file, item, prefix] of STRUCTS) {
    const it = serdeItem(file, item);
    const feature = it.feature ?? moduleFeature(file);
    const featureAt = it.feature
      ? `${file}:${line(file, /#\[cfg\(feature = "/, { from: Math.max(1, it.line - 5) })}`
      : feature
        ? ref('src/config/provider.rs', new RegExp(`pub mod ${/(\w+)\.rs$/.exec(file)[1]};`))
        : undefined;
    const names = [];
    const push = (k) => {
      const extra = KEY_EXTRA[k.path]?.();
      const o = { path: k.path, type: k.type };
      if (k.values) o.values = k.values;
      o.required = k.required;
      if (k.requiredWhen) o.requiredWhen = k.requiredWhen;
      if (k.default !== undefined) o.default = k.default;
      if (extra?.default !== undefined) o.default = extra.default;
      const defAt = extra?.defaultAt ?? k.defaultAt;
      if (defAt) o.defaultAt = defAt;
      if (k.feature) o.feature = k.feature;
      o.denyUnknownSiblings = it.deny;
      o.at = k.at;
      const note = [k.note, extra?.note].filter(Boolean).join('; ');
      if (note) o.note = note;
      if (!o.type) warn(`${k.path}: no TOML type for ${k.rust}`);
      keys.push(o);
    };
    const fieldKey = (f, extraNote) => {
      names.push(f.name);
      const fFeature = f.feature ?? feature;
      const leafEnum = /(KeyType|KeyFormat|ProtocolVersion)/.exec(f.type)?.[1];
      const ev = leafEnum ? ENUMS[leafEnum]() : undefined;
      let required = true;
      let def;
      let defaultAt;
      if (/^Option</.test(f.type)) required = false;
      if (f.default === true) {
        required = false;
        defaultAt = `${file}:${f.defaultLine}`;
        if (/^Vec</.test(f.type)) def = [];
        else if (f.type === 'bool') def = false;
        else if (ev) {
          def = ev.default;
          defaultAt += `; ${ev.defaultAt}`;
        }
      } else if (typeof f.default === 'string') {
        required = false;
        const L = src(file);
        const i = L.findIndex((l) => new RegExp(`fn ${f.default}\\(`).test(l));
        const lit = L.slice(i + 1, i + 4)
          .map((l) => l.trim())
          .find((l) => l && l !== '{');
        def = /^(true|false)$/.test(lit) ? lit === 'true' : /^\d+$/.test(lit) ? Number(lit) : lit;
        defaultAt = `${file}:${f.defaultLine}, ${file}:${i + 1}-${i + 3}`;
      }
      push({
        path: prefix + f.name,
        type: tomlType(f.type),
        rust: f.type,
        values: ev?.values,
        required,
        default: def,
        defaultAt,
        feature: fFeature,
        at: { file, line: f.line },
        note:
          [
            f.feature && f.featureLine ? `only with cargo feature ${f.feature} (${file}:${f.featureLine})` : undefined,
            f.name !== f.rust ? `serde rename of field ${f.rust}` : undefined,
            extraNote,
          ]
            .filter(Boolean)
            .join('; ') || undefined,
      });
    };
    if (it.kind === 'struct') {
      for (const f of it.fields) {
        if (f.flatten) continue; // the flattened enum is its own STRUCTS entry
        fieldKey(f);
      }
    } else if (it.tag) {
      names.push(it.tag);
      push({
        path: prefix + it.tag,
        type: 'string (enum)',
        values: it.variants.map((v) => v.name),
        required: true,
        feature,
        at: { file, line: it.tagLine },
        note: `serde internal tag of ${item} (${file}:${it.tagLine}); variants at ${it.variants.map((v) => `${v.name} ${file}:${v.line}`).join(', ')}`,
      });
      const seen = new Map();
      for (const v of it.variants)
        for (const f of v.fields) {
          if (seen.has(f.name)) {
            seen.get(f.name).note += `, ${v.name}`;
            continue;
          }
          const before = keys.length;
          fieldKey(f, `only with ${it.tag} = "${v.name}"`);
          const k = keys[before];
          if (k.required) k.requiredWhen = `${it.tag} = "${v.name}"`;
          k.required = false;
          seen.set(f.name, k);
        }
    } else if (it.untagged) {
      const byName = new Map();
      for (const v of it.variants)
        for (const f of v.fields) {
          if (byName.has(f.name)) {
            byName.get(f.name).variants.push(v.rust);
            continue;
          }
          byName.set(f.name, { f, variants: [v.rust] });
        }
      for (const { f, variants } of byName.values()) {
        const all = variants.length === it.variants.length;
        const before = keys.length;
        fieldKey(
          f,
          all
            ? `in every variant of untagged ${item}`
            : `variant ${variants.join(', ')} of untagged ${item} (${it.variants.map((v) => `${v.rust}: ${v.fields.map((x) => x.name).join(' + ')}`).join(' | ')})`,
        );
        if (!all) {
          keys[before].required = false;
          keys[before].requiredWhen = `${it.variants
            .filter((v) => !variants.includes(v.rust))
            .flatMap((v) => v.fields.map((x) => x.name))
            .filter((n) => !byName.get(n) || byName.get(n).variants.length < it.variants.length)
            .join(', ')} is absent`;
        }
      }
    } else {
      // externally tagged enum of newtype variants, flattened into its parent (KeyDescriptor)
      for (const v of it.variants) {
        names.push(v.name);
        push({
          path: prefix + v.name,
          type: tomlType(v.newtype ?? '') ?? v.newtype,
          rust: v.newtype,
          required: false,
          feature,
          at: { file, line: v.line },
          note: `variant ${v.rust} of ${item} (rename_all = "${it.renameAll}"), flattened into its parent: exactly one of ${it.variants.map((x) => x.name).join(', ')} is required (serde rule)`,
        });
      }
    }
    perStruct.push({
      item,
      file,
      prefix,
      deny: it.deny,
      denyAt: it.denyLine ? `${file}:${it.denyLine}` : undefined,
      names,
      feature,
      featureAt,
    });
  }
  return { keys, perStruct };
}
const { keys, perStruct } = keysOf();

// ---------------------------------------------------------------- notes
const denyList = perStruct
  .filter((s) => s.deny)
  .map(
    (s) =>
      `${s.item} (${s.denyAt}) -> ${s.prefix ? s.prefix.replace(/\.$/, '') : '(top level)'}: ${s.names.map((n) => `\`${n}\``).join(', ')}`,
  )
  .join('; ');
const notDeny = perStruct
  .filter((s) => !s.deny)
  .map((s) => `${s.item} (${s.file}:${serdeItem(s.file, s.item).line}) -> ${s.prefix.replace(/\.$/, '')}`)
  .join('; ');

const STATE = 'src/chain/state.rs';
const notes = [
  `Source: iqlusioninc/tmkms tag ${TAG} (commit ${commit}); Cargo.toml version ${version}, licence ${licence} (Cargo.toml, LICENSE). Dependencies whose behaviour the table relies on but which are NOT on this machine: ${dep('clap')}, ${dep('abscissa_core')}, ${dep('toml')}, ${dep('serde')}, ${dep('serde_json')}, ${dep('iq-cometbft')}, ${dep('iq-cometbft-config')}, ${dep('cometbft-p2p')}. Every statement below that depends on one of them says so.`,
  `No metrics: tmkms ${version} serves no metrics endpoint and has no metrics/prometheus dependency (Cargo.toml [dependencies] ${span('Cargo.toml', /^\[dependencies\]/, /^zeroize/)}; \`git grep -i -E 'metric|prometheus'\` in src finds nothing). It opens no listening socket for signing either: it dials each [[validator]] addr (${span('src/client.rs', /The KMS makes outbound connections/, /acts as a service/)}; ${ref('src/connection/tcp.rs', /TcpStream::connect/)}). The only server is the optional yubihsm-connector-compatible HTTP service (providers.yubihsm[].connector_server, feature yubihsm-server).`,
  `Cargo features decide what exists (${span('Cargo.toml', /^\[features\]/, /^fortanixdsm = /)}): softsign, yubihsm-mock, yubihsm-server, fortanixdsm, plus the optional dependencies yubihsm (${ref('Cargo.toml', /^yubihsm = /)}) and ledger (${ref('Cargo.toml', /^ledger = /)}) as implicit features; there is no default feature. yubihsm-server and yubihsm-mock name "yubihsm/..." and so also enable the yubihsm dependency (Cargo rule). Subcommands softsign/yubihsm/ledger exist only with their feature (${span('src/commands.rs', /#\[cfg\(feature = "ledger"\)\]/, /pub mod yubihsm;/)}; ${span('src/commands.rs', /#\[cfg\(feature = "ledger"\)\]/, /Yubihsm\(YubihsmCommand\),/, { from: line('src/commands.rs', /pub enum KmsCommand/) })}); each providers.* key exists only with its feature (${span('src/config/provider.rs', /#\[cfg\(feature = "softsign"\)\]\s*$/, /pub fortanixdsm: Vec/, { from: line('src/config/provider.rs', /pub struct ProviderConfig/) })}), and because ProviderConfig is deny_unknown_fields (${ref('src/config/provider.rs', /deny_unknown_fields/)}) a [[providers.softsign]] table given to a binary built without softsign is an unknown-field error, not ignored. The "feature" on keys and commands records this.`,
  `Config file: \`tmkms start\` (and every yubihsm/ledger subcommand, even yubihsm detect) loads it; init, softsign and version do not (${span('src/commands.rs', /fn config_path/, /Some\(path\)/)}). Path: the subcommand's -c/--config, else env ${/CONFIG_ENV_VAR: &str = "(\w+)"/.exec(src('src/config.rs').join('\n'))[1]} (${ref('src/config.rs', /CONFIG_ENV_VAR: &str/)}), else ${/CONFIG_FILE_NAME: &str = "([^"]+)"/.exec(src('src/config.rs').join('\n'))[1]} in the working directory (${ref('src/config.rs', /CONFIG_FILE_NAME: &str/)}). Parsing is abscissa's Config::load_toml (used directly in ${ref('tests/cli/init.rs', /KmsConfig::load_toml/)}), i.e. the toml crate into KmsConfig; after parsing, \`start\` builds the chains and keyring and on failure prints "error loading configuration: {e}" (status_err!, stderr) and exits 1 (${span('src/commands/start.rs', /chain::load_config\(&config\)/, /process::exit\(1\)/)}).`,
  `Unknown keys: every config struct is #[serde(deny_unknown_fields)] except the ones listed next, so an unknown key fails the whole file at load. Structs and the field names serde lists as expected: ${denyList}. WITHOUT deny_unknown_fields: ${notDeny} (extra keys inside key_format are ignored, serde rule). The newtypes SoftPrivateKey (${ref('src/config/provider/softsign.rs', /pub struct SoftPrivateKey/)}) and Password (${ref('src/config/provider/yubihsm.rs', /pub struct Password/)}) also carry deny_unknown_fields but hold a single value (path / password string), so it has no effect on keys. AuthConfig is untagged (${ref('src/config/provider/yubihsm.rs', /deny_unknown_fields, untagged/)}): an unknown key inside auth makes both variants fail, and serde then reports that the data matched no variant of the untagged enum instead of "unknown field" (serde rule, wording not read). Each key object's denyUnknownSiblings records its containing struct's attribute. The expected list of ProviderConfig depends on the compiled features (with none: serde says there are no fields).`,
  `The unknown-key failure text: serde_derive's unknown-field error ("unknown field \`{key}\`, expected one of \`a\`, \`b\`, ..."; with one expected name "expected \`a\`"; with none "there are no fields") reported by toml ${LOCK.toml.version}, then abscissa's fatal config error ("error: tmkms fatal error: config error: ..."), exit 1. NONE of this wording and not the exit code is in the tmkms tree (serde, toml and abscissa_core are not on this machine): recorded from serde/toml convention and from docs/reference/tmkms.md, which cites abscissa core/v0.9.0 application.rs:57,125-133 and application/exit.rs:7-9 from a checkout not present here. The toml crate may put a "TOML parse error at line L, column C" snippet before "unknown field" (not verified). What IS verified here: which structs deny unknown fields (above) and that tmkms itself never catches the error (it comes from abscissa's config loading, before any tmkms code runs: ${ref('src/application.rs', /fn after_config/)} only receives the parsed config).`,
  `State file (double-sign watermark, one per [[chain]]): JSON written with serde_json::to_string of iq-cometbft consensus::State (${ref(STATE, /let json = serde_json::to_string\(&self.consensus_state\)\?;/)}) and read with serde_json::from_str (${ref(STATE, /serde_json::from_str\(&state_json\)/)}). Fields height, round, step, block_id (${span(STATE, /consensus::State \{\s*$/, /block_id: \$block_id/, { from: line(STATE, /macro_rules! state/) })}). height and round are JSON strings: CHANGELOG ${span('CHANGELOG.md', /#### `state_file` syntax changes/, /\{"height":"123456","round":"0",\.\.\.\}/)} ('{"height":"123456","round":"0",...}', "integer values are stored in strings"). step is an integer (literals 0/1/2 at ${span('src/privval.rs', /pub fn consensus_state/, /vote::Type::Precommit => 2/)}), written as a JSON number per iq-cometbft (not read here; docs/reference/tmkms.md cites cometbft-rs consensus/state.rs:18-32). block_id is an optional block id; its JSON shape ({"hash":"<HEX>","parts":{"total":N,"hash":"<HEX>"}}, None as empty hash/total 0) is iq-cometbft's and is recorded from docs/reference/tmkms.md, not verified here. Example as tmkms should write it: {"height":"100","round":"0","step":1,"block_id":{"hash":"26C0...","parts":{"total":1,"hash":"..."}}}.`,
  `Step numbers: tmkms stores Proposal=0, Prevote=1, Precommit=2 (${span('src/privval.rs', /Self::Proposal\(p\) => consensus::State \{/, /vote::Type::Precommit => 2/)}). CometBFT's own FilePV uses stepPropose=1, stepPrevote=2, stepPrecommit=3, stepNone=0 (cometbft v0.38.17 privval/file.go:26-29, read from /work/.mirror/cometbft+cometbft), and its priv_validator_state.json keeps round as a JSON number (Round int32, privval/file.go:77; only 64-bit ints are strings in cmtjson, libs/json/doc.go:12). So a CometBFT priv_validator_state.json is not a tmkms state file: steps differ by one and round is a number where tmkms's file has a string. These step numbers are not the protocol's SignedMsgType codes (Prevote 0x01, Precommit 0x02, Proposal 0x20: ${span('src/privval.rs', /const UNKNOWN_CODE/, /const PROPOSAL_CODE/)}).`,
  `Missing state file: created, not an error. load_state on io NotFound calls write_initial_state (${span(STATE, /Err\(e\) if e.kind\(\) == io::ErrorKind::NotFound/, /Self::write_initial_state/)}), which writes height 0 with the rest Default (round 0, step 0, no block_id) (${span(STATE, /fn write_initial_state/, /initial_state.sync_to_disk\(\)\?;/)}). Writes go to a NamedTempFile in the file's directory, then persist (rename) over the path (${span(STATE, /let state_file_dir = self.state_file_path.parent/, /state_file.persist/)}), so the directory must exist. Any other read error is fatal (${ref(STATE, /Err\(e\) => Err\(Error::from\(e\)\)/)}); invalid JSON: "error parsing {path}: {serde_json error}" (parse error kind, ${span(STATE, /let consensus_state = serde_json::from_str/, /\}\)\?;/)}) -> start prints "error loading configuration: parse error: ..." and exits 1 (${ref('src/commands/start.rs', /status_err!\("error loading configuration/)}); the "parse error: " kind prefix is abscissa's Context display (not read). The default path when state_file is absent is "{chain id}_priv_validator_state.json" in the working directory (${span('src/chain.rs', /let state_file = match config.state_file/, /_priv_validator_state.json/)}).`,
  `Watermark checks (${span(STATE, /pub fn update_consensus_state/, /Ok\(\(\)\)/)}): height < last: "height regression: last height:L new height:N"; same height, round < last: "round regression: round regression at height:H last round:L new round:N"; same height/round, step < last: "step regression: round regression at height:H round:R last step:L new step:N" (sic); same height/round with a different block_id when both are set or the step is the same: double sign. The new state is synced to disk before signing (${span('src/session.rs', /if let Some\(remote_err\) = self.update_consensus_state/, /let consensus_sig = chain.keyring.sign/)}). Regressions end the session (wrapped "attempted double sign: ...", ${ref('src/error.rs', /#\[error\("attempted double sign"\)\]/)}, ${span('src/error.rs', /impl From<chain::state::StateError> for Error/, /ErrorKind::DoubleSign.context/)}); a double sign is answered with RemoteSignerError code 2 "double signing requested at height: H" and the session continues (${span('src/session.rs', /fn double_sign/, /consensus_state.height/)}), logged ERROR "[{chain}@{addr}] attempted double sign {Type} at h/r/s: H/R/S ({old} != {new})" (${span('src/session.rs', /attempted double sign \{:\?\} at h\/r\/s/, /request_state.block_id_prefix\(\)/)}).`,
  `secret_key (secret-connection identity) file: standard base64 (subtle-encoding) of a raw 32-byte Ed25519 seed, no trailing newline, created mode 0600 (${ref('src/key_utils.rs', /SECRET_FILE_PERMS: u32 = 0o600/)}; ${span('src/key_utils.rs', /pub fn write_base64_secret/, /\.and_then\(\|mut file\| file.write_all\(&base64_data\)\)/)}); \`tmkms init\` writes it as secrets/kms-identity.key from 32 random bytes (${span('src/key_utils.rs', /pub fn generate_key/, /write_base64_secret\(path, &\*secret_key\)/)}; ${ref('src/commands/init.rs', /key_utils::generate_key\(&secret_connection_key\)/)}). On load trailing whitespace is trimmed before decoding (${ref('src/key_utils.rs', /base64::decode\(base64_data.trim_end\(\)\)/)}) and the key must be a seed: a 64- or 96-byte key is refused with "Ed25519 identity key must be provided as a 32-byte seed" (${span('src/key_utils.rs', /pub fn load_identity_key/, /32-byte seed/)}); other lengths: "invalid Ed25519 key: ..." (${ref('src/key_utils.rs', /invalid Ed25519 key: \{\}/)}). Fixture: tests/support/secret_connection.key is 44 base64 characters = 32 bytes, no newline. The KMS node id of this key is logged at INFO "KMS node ID: {public key}" (${ref('src/connection/tcp.rs', /KMS node ID/)}); its Display is cometbft-p2p's (not read).`,
  `Peer-id check in addr: with tcp://<node id>@host:port, after the SecretConnection handshake the validator's peer id (cometbft-p2p PublicKey::peer_id, not read here) is compared in constant time with <node id> and a mismatch fails the session with "verification failed: {host}:{port}: validator peer ID mismatch! (expected E, got A)" (${span('src/connection/tcp.rs', /let actual_peer_id = connection.peer_public_key\(\).peer_id\(\);/, /actual_peer_id$/)}; kind text ${ref('src/error.rs', /#\[error\("verification failed"\)\]/)}), then the reconnect loop retries. Without <node id>@ the connection is accepted and WARN "[{chain}@{addr}]: unverified validator peer ID! ({peer id})" is logged (${span('src/session.rs', /if peer_id.is_none\(\)/, /conn.peer_public_key\(\).peer_id\(\)/)}). unix:// addresses use a plain socket, no secret connection and no secret_key (${span('src/session.rs', /net::Address::Unix \{ path \} =>/, /UnixConnection::new\(socket\)/)}).`,
  `Reconnect: RESPAWN_DELAY = ${/RESPAWN_DELAY: u64 = (\d+)/.exec(src('src/client.rs').join('\n'))[1]} s, fixed (${ref('src/client.rs', /pub const RESPAWN_DELAY: u64/)}). Any session error is logged ERROR "[{chain}@{addr}] {error}"; with reconnect = true (the default, ${span('src/config/validator.rs', /fn reconnect_default/, /true/)}) the thread sleeps RESPAWN_DELAY seconds and dials again, forever (${span('src/client.rs', /fn main_loop/, /Ok\(\(\)\)/)}); with false the thread ends and start logs "client '{name}' exited with error: {e}", WARN "Shutdown completed with errors" and exits 1 once all threads ended (${span('src/commands/start.rs', /for client in validator_clients/, /process::exit\(1\)/)}). A PoisonError is fatal without retry (${span('src/client.rs', /PoisonError` is unrecoverable/, /return Err\(e\);/)}). One thread per [[validator]], named "{chain_id}@{addr}" (${ref('src/client.rs', /let name = format!\("\{\}@\{\}"/)}).`,
  `Log lines an operator sees (tracing via abscissa; levels and layout are abscissa/tracing-subscriber's, not read): start "tmkms ${version} starting up..." (${span('src/commands/start.rs', /info!\(/, /env!\("CARGO_PKG_VERSION"\)/)}); "[{chain}@{addr}] connected to validator successfully" (${ref('src/session.rs', /connected to validator successfully/)}); signing "[{chain}@{addr}] signed {Type}:{block id prefix} at h/r/s {H/R/S} ({ms} ms)" (${span('src/session.rs', /fn log_signing_request/, /started_at.elapsed\(\).as_millis\(\),/)}); vote extensions "[{chain}@{addr}] signed vote extension ({ms} ms)" only with chain[].sign_extensions = true (${span('src/session.rs', /if chain.sign_extensions/, /signed vote extension/)}).`,
  `tmkms init KMS_HOME: creates KMS_HOME/{schema,secrets,state} (${ref('src/commands/init.rs', /SUBDIRECTORIES: &\[&str\]/)}), chmods secrets 0700 (${ref('src/commands/init.rs', /SECRETS_DIR_PERMISSIONS: u32/)}), writes KMS_HOME/tmkms.toml and secrets/kms-identity.key (${span('src/commands/init.rs', /let config_path = kms_home.join\(CONFIG_FILE_NAME\)/, /Secret Connection key: \{\}/)}); it does not generate the consensus key (${ref('src/commands/init.rs', /TODO\(tarcieri\): generate consensus and account keys/)}). The generated [[validator]] has protocol_version = "v0.34" (deprecated, warns at start) and a placeholder addr (${span('src/commands/init/templates/validator.toml', /\[\[validator\]\]/, /reconnect = true/)}).`,
  `Command line: clap ${LOCK.clap.version} derive through abscissa_core ${LOCK.abscissa_core.version}. Flags are the #[clap(short, long)] fields of each command struct; fields without #[clap] are positionals; -h/--help is clap's default on every command (listed, not declared in tmkms). KmsCommand has no #[command(version)] attribute (${span('src/commands.rs', /#\[derive\(Command, Debug, Parser, Runnable\)\]/, /pub enum KmsCommand/)}), so no -V/--version flag is declared in tmkms (whether abscissa adds one is abscissa's; use the version subcommand). clap 4 also adds a "help" subcommand to commands with subcommands (clap default, not read). Bool flags are switches (no value). Error wording for unknown flags and bad values is clap's and is not recorded (see unknownFlag.note).`,
];

// ---------------------------------------------------------------- assemble
const table = {
  client: 'tmkms',
  version: TAG,
  source: { repository: 'iqlusioninc/tmkms', tag: TAG, commit, licence },
  derivation: `node scripts/reference/derive-tmkms.mjs <iqlusioninc/tmkms git dir> ${TAG} (recipe: recipes/tmkms.md). Flags: clap derive #[clap(short, long)] fields of the command structs under src/commands; config keys: serde derive structs under src/config (+ src/keyring/format.rs) mapped to tmkms.toml paths by hand; line numbers found by pattern at the tag. clap, abscissa_core, serde, toml and iq-cometbft behaviour NOT read (not on this machine): marked in notes.`,
  commands,
  configFiles: [
    {
      command: 'start',
      locatedBy: `flag:config (or env TMKMS_CONFIG_FILE, else tmkms.toml in the working directory; ${span('src/commands.rs', /let path = config/, /unwrap_or_else\(\|\| PathBuf::from\(CONFIG_FILE_NAME\)\)/)})`,
      format: 'toml',
      at: at('src/commands.rs', /let path = config/),
      keys,
      unknownKey: {
        exitCode: 1,
        stream: 'stderr',
        message: 'error: tmkms fatal error: config error: unknown field `{key}`, expected one of ...',
        at: at('src/config.rs', /deny_unknown_fields/),
        verified:
          'deny_unknown_fields on every struct but key_format (see notes); NOT verified here: the wrapping text, the exit code, the stream and the exact serde/toml wording (serde, toml, abscissa_core not on this machine)',
        note: 'serde unknown_field text inside toml\'s error, inside abscissa\'s fatal config error, as the brief and docs/reference/tmkms.md (abscissa core/v0.9.0 application.rs:57,125-133; application/exit.rs:7-9) give it; the "..." is the struct\'s field list, each in backticks, comma separated (the lists are in notes); toml may add a position snippet before "unknown field"',
      },
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message: 'error: tmkms fatal error: config error: invalid type: {found}, expected {expected}',
        at: at('src/config.rs', /pub struct KmsConfig/),
        verified:
          "nothing beyond the field types (table keys): the wording, exit code and stream are serde/toml/abscissa's, not on this machine",
        note: 'a value of the wrong TOML type, a missing required key ("missing field `{key}`") or an enum value outside "values" ("unknown variant `{value}`, expected ...") fail the same way at load (serde rule). Values checked later by tmkms fail after load with "error loading configuration: {e}", exit 1 (src/commands/start.rs) or in the session',
      },
    },
  ],
  notes,
};
if (warnings.length) table.derivationWarnings = warnings;
process.stdout.write(`${JSON.stringify(table, null, 2)}\n`);
