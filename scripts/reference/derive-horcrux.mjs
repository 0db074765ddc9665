#!/usr/bin/env node
// Derive the horcrux reference table (../FORMAT.md) from a horcrux git checkout/bare dir at a tag.
//   node derive-horcrux.mjs <repo-dir> <tag>  > horcrux-<tag>.json
// Plain Node.js ESM, no dependencies. Reads the source with `git show <tag>:<path>` only.
// Extracted by script: the cobra command tree and every flag (cmd/horcrux/cmd/*.go), the config.yaml
// keys (yaml tags of signer.Config and the structs it nests), the Prometheus metric names (promauto /
// prometheus.New* in every non-test Go file). Everything else (required/default rules, validation
// order, notes) is written by hand below, but every file:line in it is looked up at the tag by an
// anchor string; an anchor that is no longer found is reported on stderr and the exit status is 2.
import { execFileSync } from 'node:child_process';

const [repo, tag] = process.argv.slice(2);
if (!repo || !tag) {
  console.error('usage: node derive-horcrux.mjs <repo-dir> <tag>');
  process.exit(64);
}
const git = (...a) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8', maxBuffer: 256 << 20 });
const commit = git('rev-parse', `${tag}^{commit}`).trim();
const allFiles = git('ls-tree', '-r', '--name-only', tag).split('\n').filter(Boolean);
const goFiles = allFiles.filter(
  (f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.endsWith('.pb.go') && !f.startsWith('test/'),
);
const CMD_DIR = 'cmd/horcrux/cmd/';
const cmdFiles = goFiles.filter((f) => f.startsWith(CMD_DIR) && !f.slice(CMD_DIR.length).includes('/'));

const cache = new Map();
const text = (f) => {
  if (!cache.has(f)) cache.set(f, git('show', `${tag}:${f}`));
  return cache.get(f);
};
const lines = (f) => text(f).split('\n');
const problems = [];

// ---------- anchors: file:line looked up at the tag ----------
function lineOf(file, needle, afterNeedle) {
  const L = lines(file);
  let from = 0;
  if (afterNeedle) {
    const a = L.findIndex((l) => l.includes(afterNeedle));
    if (a < 0) {
      problems.push(`anchor not found: ${file}: ${afterNeedle}`);
      return 0;
    }
    from = a;
  }
  for (let i = from; i < L.length; i++) if (L[i].includes(needle)) return i + 1;
  problems.push(`anchor not found: ${file}: ${needle}${afterNeedle ? ` (after ${afterNeedle})` : ''}`);
  return 0;
}
const at = (file, needle, after) => ({ file, line: lineOf(file, needle, after) });
const L = (file, needle, after) => `${file}:${lineOf(file, needle, after)}`;
// file:a-b from two anchors (b searched after a)
function R(file, n1, n2, after) {
  const a = lineOf(file, n1, after);
  const Ls = lines(file);
  let b = 0;
  for (let i = Math.max(a - 1, 0); i < Ls.length; i++)
    if (Ls[i].includes(n2)) {
      b = i + 1;
      break;
    }
  if (!b) problems.push(`anchor not found: ${file}: ${n2} (after ${n1})`);
  return `${file}:${a}-${b}`;
}
const short = (ref) => ref.replace(/^.*\//, ''); // "signer/config.go:12" -> "config.go:12"

// ---------- a small Go scanner ----------
// index just past a string / rune / comment starting at i, or -1
function skipLexeme(s, i) {
  const c = s[i];
  if (c === '"' || c === "'") {
    let j = i + 1;
    while (j < s.length && s[j] !== c) {
      if (s[j] === '\\') j++;
      j++;
    }
    return j + 1;
  }
  if (c === '`') {
    const j = s.indexOf('`', i + 1);
    return j + 1;
  }
  if (c === '/' && s[i + 1] === '/') {
    const j = s.indexOf('\n', i);
    return j < 0 ? s.length : j;
  }
  if (c === '/' && s[i + 1] === '*') {
    const j = s.indexOf('*/', i + 2);
    return j + 2;
  }
  return -1;
}
function matchClose(s, open) {
  const pairs = { '(': ')', '{': '}', '[': ']' };
  const stack = [pairs[s[open]]];
  for (let i = open + 1; i < s.length; i++) {
    const k = skipLexeme(s, i);
    if (k >= 0) {
      i = k - 1;
      continue;
    }
    if (pairs[s[i]]) stack.push(pairs[s[i]]);
    else if (s[i] === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) return i;
    }
  }
  return -1;
}
function splitArgs(s, open) {
  const close = matchClose(s, open);
  const out = [];
  let start = open + 1;
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    const k = skipLexeme(s, i);
    if (k >= 0) {
      i = k - 1;
      continue;
    }
    if ('({['.includes(s[i])) depth++;
    else if (')}]'.includes(s[i])) depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push({ text: s.slice(start, i).trim(), offset: start });
      start = i + 1;
    }
  }
  const last = s.slice(start, close).trim();
  if (last) out.push({ text: last, offset: start });
  return out;
}
const lineAt = (s, off) => s.slice(0, off).split('\n').length;
function goString(expr) {
  // "a" + "b" / `raw`
  const parts = expr.split(/\s*\+\s*/);
  let out = '';
  for (const p of parts) {
    const t = p.trim();
    if (/^"(?:[^"\\]|\\.)*"$/.test(t)) out += JSON.parse(t.replace(/\\'/g, "'"));
    else if (/^`[^`]*`$/s.test(t)) out += t.slice(1, -1);
    else return undefined;
  }
  return out;
}
function findFunc(name, files) {
  const re = new RegExp(`^func (?:\\([^)]*\\) )?${name}\\(`, 'm');
  for (const f of files) {
    const s = text(f);
    const m = re.exec(s);
    if (!m) continue;
    const paramsOpen = m.index + m[0].length - 1;
    let i = matchClose(s, paramsOpen) + 1;
    while (i < s.length && s[i] !== '{') {
      if (s[i] === '(') i = matchClose(s, i);
      i++;
    }
    const end = matchClose(s, i);
    return { file: f, src: s, start: i, end, body: s.slice(i, end + 1), line: lineAt(s, m.index) };
  }
  return null;
}
// Go string constants of a set of files: name -> {value, file, line}
function goConsts(files) {
  const out = {};
  for (const f of files) {
    const Ls = lines(f);
    Ls.forEach((l, i) => {
      const m = /^\s*(\w+)\s+(?:\w+\s+)?=\s*("(?:[^"\\]|\\.)*")\s*$/.exec(l);
      if (m) out[m[1]] = { value: JSON.parse(m[2]), file: f, line: i + 1 };
    });
  }
  return out;
}
const cmdConsts = goConsts(cmdFiles);
const allConsts = goConsts(goFiles);
function goValue(expr) {
  const t = expr.trim();
  const s = goString(t);
  if (s !== undefined) return s;
  if (/^(true|false)$/.test(t)) return t === 'true';
  if (/^[\d\s*+]+$/.test(t)) return Function(`return (${t})`)();
  if (/^\[\]string\{\s*\}$/.test(t)) return [];
  let m = /^string\((?:\w+\.)?(\w+)\)$/.exec(t);
  if (m && allConsts[m[1]]) return allConsts[m[1]].value;
  m = /^(\w+)$/.exec(t);
  if (m && cmdConsts[m[1]]) return cmdConsts[m[1]].value;
  return { expr: t };
}

// ---------- cobra command tree ----------
const FLAG_METHODS = {
  String: ['string', 0, false],
  StringP: ['string', 0, true],
  StringVar: ['string', 1, false],
  StringVarP: ['string', 1, true],
  StringSlice: ['list', 0, false],
  StringSliceP: ['list', 0, true],
  Int: ['int', 0, false],
  IntP: ['int', 0, true],
  IntVar: ['int', 1, false],
  Uint8: ['uint', 0, false],
  Uint8P: ['uint', 0, true],
  Uint: ['uint', 0, false],
  Bool: ['bool', 0, false],
  BoolP: ['bool', 0, true],
  BoolVar: ['bool', 1, false],
  Duration: ['duration', 0, false],
  DurationP: ['duration', 0, true],
};
function flagsOf(fn, seen = new Set()) {
  const flags = [];
  const sets = new Set();
  for (const m of fn.body.matchAll(/(\w+)\s*:=\s*cmd\.(?:Persistent)?Flags\(\)/g)) sets.add(m[1]);
  const re = /((?:cmd|\w+)(?:\.(?:Persistent)?Flags\(\))?)\.(\w+)\(/g;
  let m;
  while ((m = re.exec(fn.body))) {
    const recv = m[1];
    const meth = m[2];
    if (!FLAG_METHODS[meth]) continue;
    if (!(/Flags\(\)$/.test(recv) || sets.has(recv))) continue;
    const [kind, nameIdx, hasShort] = FLAG_METHODS[meth];
    const open = fn.start + m.index + m[0].length - 1;
    const args = splitArgs(fn.src, open);
    const nameExpr = args[nameIdx].text;
    const name = goValue(nameExpr);
    const f = {
      name: typeof name === 'string' ? name : nameExpr,
      kind,
      method: meth,
      persistent: /PersistentFlags/.test(recv),
      at: { file: fn.file, line: lineAt(fn.src, fn.start + m.index) },
    };
    if (hasShort) {
      const sh = goValue(args[nameIdx + 1].text);
      if (sh) f.aliases = [sh];
    }
    f.default = goValue(args[nameIdx + (hasShort ? 2 : 1)].text);
    const c = /^\w+$/.test(nameExpr) && cmdConsts[nameExpr];
    if (c) f.constAt = `${c.file}:${c.line}`;
    flags.push(f);
  }
  for (const mm of fn.body.matchAll(/MarkFlagRequired\((\w+|"[^"]*")\)/g)) {
    const n = goValue(mm[1]);
    const f = flags.find((x) => x.name === n);
    if (f) f.required = true;
  }
  // helpers such as addOutputDirFlag(cmd)
  for (const mm of fn.body.matchAll(/\b(\w+)\(cmd\)/g)) {
    if (seen.has(mm[1])) continue;
    const h = findFunc(mm[1], cmdFiles);
    if (h && /Flags\(\)/.test(h.body)) {
      seen.add(mm[1]);
      const hf = flagsOf(h, seen);
      for (const x of hf) x.via = `${mm[1]} (${h.file}:${h.line})`;
      flags.push(...hf);
    }
  }
  return flags;
}
function commandOf(fnName, parentPath) {
  const fn = findFunc(fnName, cmdFiles);
  if (!fn) {
    problems.push(`command function not found: ${fnName}`);
    return [];
  }
  const lit = (k) => {
    const m = new RegExp(`\\b${k}:\\s*("(?:[^"\\\\]|\\\\.)*"|\`[^\`]*\`)`).exec(fn.body);
    return m ? goString(m[1]) : undefined;
  };
  const use = lit('Use');
  const name = use.split(/\s+/)[0];
  const path = parentPath === null ? '' : parentPath ? `${parentPath} ${name}` : name;
  const aliasesM = /Aliases:\s*\[\]string\{([^}]*)\}/.exec(fn.body);
  const argsM = /\bArgs:\s*([^\n]+?),\s*\n/.exec(fn.body);
  const cmd = {
    path,
    fnName,
    file: fn.file,
    line: fn.line,
    use,
    useLine: lineAt(fn.src, fn.start + fn.body.indexOf('Use:')),
    aliases: aliasesM
      ? aliasesM[1]
          .split(',')
          .map((s) => goValue(s))
          .filter((s) => typeof s === 'string')
      : [],
    args: argsM ? argsM[1].trim() : null,
    silenceUsage: /SilenceUsage:\s*true/.test(fn.body),
    silenceUsageLine: /SilenceUsage:/.test(fn.body) ? lineAt(fn.src, fn.start + fn.body.indexOf('SilenceUsage:')) : 0,
    silenceUsageSet: [...fn.body.matchAll(/cmd\.SilenceUsage = (true|false)/g)].map(
      (x) => `${x[1]} at ${fn.file}:${lineAt(fn.src, fn.start + x.index)}`,
    ),
    runnable: /\bRunE?:/.test(fn.body),
    flags: flagsOf(fn),
  };
  const out = [cmd];
  const assigned = {};
  for (const m of fn.body.matchAll(/(\w+)\s*:=\s*(\w+)\(\)/g)) assigned[m[1]] = m[2];
  for (const m of fn.body.matchAll(/AddCommand\((\w+)(\(\))?\)/g)) {
    const child = m[2] ? m[1] : assigned[m[1]];
    if (child) out.push(...commandOf(child, path));
  }
  return out;
}
const tree = commandOf('rootCmd', null);
const root = tree[0];
const persistent = root.flags.filter((f) => f.persistent);

// ---------- by-hand facts, each anchored ----------
const ROOT = `${CMD_DIR}root.go`;
const START = `${CMD_DIR}start.go`;
const THR = `${CMD_DIR}threshold.go`;
const CCFG = `${CMD_DIR}config.go`;
const STATE = `${CMD_DIR}state.go`;
const SHARDS = `${CMD_DIR}shards.go`;
const SINGLE = `${CMD_DIR}single_signer.go`;
const MIGRATE = `${CMD_DIR}migrate.go`;
const CMETRICS = `${CMD_DIR}metrics.go`;
const VERSION = `${CMD_DIR}version.go`;
const SCFG = 'signer/config.go';
const SS = 'signer/sign_state.go';
const SVC = 'signer/services.go';
const RS = 'signer/remote_signer.go';
const RAFT = 'signer/raft_store.go';
const ECIES = 'signer/cosigner_security_ecies.go';
const KEY = 'signer/cosigner_key.go';
const SHARES = 'signer/cosigner_key_shares.go';
const SOFT = 'signer/threshold_signer_soft.go';
const TV = 'signer/threshold_validator.go';
const LC = 'signer/local_cosigner.go';
const IO = 'signer/io.go';
const SMETRICS = 'signer/metrics.go';

const execAt = at(ROOT, 'rootCmd().Execute()');
const exitLine = R(ROOT, 'if err := rootCmd().Execute()', 'os.Exit(1)');

const flagNotes = {
  home:
    'persistent flag of the root command: accepted by every command, before or after the subcommand name; "" -> $HOME/.horcrux (go-homedir) ' +
    `(${R(ROOT, 'if config.HomeDir == ""', 'home = filepath.Join(userHome, ".horcrux")')})`,
  'accept-risk': `read only for signMode single; without it single mode panics "risk not accepted. --accept-risk flag required to run single signer mode" (${L(SINGLE, 'risk not accepted')}), exit 2`,
  mode: `meaningful values "threshold" | "single"; a pflag string, so anything parses: any value other than "threshold" writes a single-signer config (${L(CCFG, 'if signMode == string(signer.SignModeThreshold)')}, ${L(CCFG, 'SignMode:      signer.SignModeSingle')})`,
  node: 'pflag stringSlice: each value is split as CSV and repeated flags accumulate (pflag v1.0.5 string_slice.go:42-54); one chainNodes[].privValAddr per entry',
  cosigner: `pflag stringSlice (CSV, repeatable, accumulates); shardID = position 1..n in the order given (${L(SCFG, 'CosignerConfig{ShardID: i + 1, P2PAddr: c}')})`,
  threshold: 'int for config init; uint8 (0-255) for create-ed25519-shards',
  'raft-timeout':
    'a Go duration ("500ms", "1s") is meant, but it is a pflag string flag written verbatim to thresholdMode.raftTimeout; parsed with time.ParseDuration only by the validation (skipped with --bare)',
  'grpc-timeout':
    'a Go duration is meant, but it is a pflag string flag written verbatim to thresholdMode.grpcTimeout; parsed with time.ParseDuration only by the validation (skipped with --bare)',
  'gprc-address': `sic: the flag is spelled "gprc-address" (${cmdConsts.flagGRPCAddress ? `${cmdConsts.flagGRPCAddress.file}:${cmdConsts.flagGRPCAddress.line}` : '?'}); written to grpcAddr in threshold mode only`,
  bare: 'skip ValidateThresholdModeConfig / ValidateSingleSignerConfig',
  overwrite:
    'without it an existing config.yaml is refused: "%s already exists. Provide the -o flag to overwrite the existing config"',
  'max-read-size': 'written to maxReadSize',
  out: 'output directory; "" = current directory; files go to <out>/cosigner_<id>/ (dirs 0700)',
  shards: 'uint8; required (cobra MarkFlagRequired)',
  'key-file': 'CometBFT priv_validator_key.json to split',
  'chain-id': 'names the output files <chain-id>_shard.json',
  help: 'added by cobra v1.7.0 InitDefaultHelpFlag (command.go:1139-1151) to every command; prints the help text and exits 0 (ErrHelp, command.go:1072-1074)',
};
const kindOverride = {
  home: 'path',
  'key-dir': 'path',
  'key-file': 'path',
  out: 'path',
};
// kinds are what pflag parses: --mode, --raft-timeout and --grpc-timeout are plain string flags
// (any value is accepted at parse time), so they are NOT enum/duration here; the meaningful values are in the notes.
const valuesOverride = {};

function flagEntry(f, cmdPath) {
  const e = { name: f.name, kind: kindOverride[f.name] || f.kind };
  if (valuesOverride[f.name]) e.values = valuesOverride[f.name];
  if (f.aliases) e.aliases = f.aliases;
  e.repeatable = f.kind === 'list';
  if (f.required) e.required = true;
  if (f.default !== undefined && !(typeof f.default === 'object' && !Array.isArray(f.default))) e.default = f.default;
  e.at = f.at;
  const notes = [];
  if (flagNotes[f.name] && !(f.name === 'threshold')) notes.push(flagNotes[f.name]);
  if (f.name === 'threshold')
    notes.push(
      cmdPath === 'config init' ? 'int; thresholdMode.threshold' : 'uint8 (0-255); required (cobra MarkFlagRequired)',
    );
  if (f.required && f.name !== 'shards' && f.name !== 'threshold')
    notes.push(
      'required (cobra MarkFlagRequired): missing -> "Error: required flag(s) \\"...\\" not set" (cobra v1.7.0 command.go:1117-1118), exit 1',
    );
  if (f.constAt) notes.push(`name from const at ${f.constAt}`);
  if (f.via) notes.push(`defined in helper ${f.via}`);
  if (f.kind === 'list') notes.push('repeatable: values accumulate');
  else notes.push('given more than once: the last value wins (pflag Set overwrites)');
  e.note = notes.join('; ');
  return e;
}
const helpFlag = { name: 'help', kind: 'bool', aliases: ['h'], repeatable: false, at: execAt, note: flagNotes.help };

function positional(c) {
  const a = c.args;
  const arity =
    a === 'cobra.NoArgs'
      ? 'none: cobra.NoArgs refuses any with "Error: unknown command \\"{arg}\\" for \\"horcrux ' +
        c.path +
        '\\"" (cobra v1.7.0 args.go:42-46), exit 1'
      : a && /ExactArgs\((\d+)\)/.test(a)
        ? `exactly ${/ExactArgs\((\d+)\)/.exec(a)[1]} (cobra.ExactArgs: "accepts N arg(s), received M", args.go:97)`
        : a && /RangeArgs\((\d+),\s*(\d+)\)/.test(a)
          ? `${/RangeArgs\((\d+),\s*(\d+)\)/.exec(a).slice(1).join(' to ')} (cobra.RangeArgs: "accepts between A and B arg(s), received M", args.go:107)`
          : c.path === ''
            ? 'a subcommand name; an unknown one -> "Error: unknown command \\"{arg}\\" for \\"horcrux\\"" + "Run \'horcrux --help\' for usage." (cobra v1.7.0 args.go:36, command.go:1050-1053), exit 1'
            : c.runnable
              ? 'not validated (no Args: cobra ArbitraryArgs), extra arguments are ignored'
              : 'a subcommand name; not runnable itself (prints help, exit 0)';
  const when = c.runnable
    ? '. Args are validated after the config has been read (cobra runs preRun/initConfig first, command.go:900-911)'
    : '';
  return `usage "${c.use}"; ${arity}${when}`;
}

const handNotes = {
  start: `runs in the foreground until SIGINT/SIGTERM (exit 0); the checks it makes, in order, are configFiles[0].validation; needs no positional argument and reads only --accept-risk besides --home`,
  'config init': `writes <home>/config.yaml (mode 0600, ${L(SCFG, 'return os.WriteFile(c.ConfigFile, c.Config.MustMarshalYaml(), 0600)')}) and creates <home>/state (0755, ${L(CCFG, 'os.MkdirAll(config.StateDir, 0755)')}); refuses an existing file without -o ("%s already exists. Provide the -o flag to overwrite the existing config", ${L(CCFG, 'already exists. Provide the -o flag')}); runs ValidateThresholdModeConfig / ValidateSingleSignerConfig unless --bare (${R(CCFG, 'if !bare {', 'if err = cfg.ValidateSingleSignerConfig(); err != nil {')}); success prints "Successfully initialized configuration: %s" to stdout (${L(CCFG, 'Successfully initialized configuration')})`,
  'state show': `needs <home> to exist ("%s does not exist, initialize config with horcrux config init and try again", ${L(STATE, 'does not exist, initialize config with horcrux config init')}); prints "Private Validator State:" and "Share Sign State:" blocks (Height/Round/Step, then Nonce Public Key/Signature/SignBytes when set) to stdout (${R(STATE, 'fmt.Fprintln(out, "Private Validator State:")', 'printSignState(out, cs)')}); does not create missing state files`,
  'state set': `needs <home>; refuses while horcrux runs (pid file); sets both state files of the chain to (height, 0, 0); prints "Setting height %d" (${L(STATE, 'Setting height %d')}); a non-integer height -> strconv.ParseInt error with usage (${R(STATE, 'height, err := strconv.ParseInt(args[1], 10, 64)', 'return err')})`,
  'state import': `needs <home>; refuses while horcrux runs; reads the JSON from stdin until an empty line; prints "Saving New Sign State:" ... and "Update Successful" to stdout (${L(STATE, 'Update Successful')})`,
  address: `threshold mode: runs ValidateThresholdModeConfig and reads <keyDir>/{chain-id}_shard.json; single mode: <keyDir>/{chain-id}_priv_validator_key.json (${R(`${CMD_DIR}address.go`, 'switch config.Config.SignMode {', 'panic(fmt.Errorf("unexpected sign mode: %s", config.Config.SignMode))')}); prints one JSON line {"HexAddress","PubKey","ValConsAddress","ValConsPubAddress"} to stdout (${R(`${CMD_DIR}address.go`, 'type AddressCmdOutput struct', 'ValConsPubAddress string')})`,
  leader: `needs thresholdMode with cosigners and the own ecies_keys.json/rsa_keys.json; dials the own p2pAddr host:port over insecure gRPC (30 s deadline) and prints "Current leader: %d" (${L(`${CMD_DIR}leader_election.go`, 'Current leader: %d')})`,
  elect: `needs thresholdMode with cosigners; dials all p2pAddrs (multi:///...) and asks for TransferLeadership to [node_id] (none = next eligible); prints "Broadcasting to address: %s" then "Leader election successful. New leader: %d" (${L(`${CMD_DIR}leader_election.go`, 'Leader election successful. New leader: %d')})`,
  'create-ed25519-shards': `splits a CometBFT priv_validator_key.json into <out>/cosigner_<i>/<chain-id>_shard.json, i = 1..shards; checks listed in notes`,
  'create-ecies-shards': `writes <out>/cosigner_<i>/ecies_keys.json, i = 1..shards (${L(SHARDS, 'filename := filepath.Join(dir, "ecies_keys.json")')})`,
};
const commands = {};
for (const c of tree) {
  const own = c.flags.filter((f) => !f.persistent || c === root);
  const flags = own.map((f) => flagEntry(f, c.path));
  if (c !== root) flags.push(...persistent.map((f) => flagEntry(f, c.path)));
  flags.push(helpFlag);
  const usageShown = !c.silenceUsage;
  const entry = {
    flags,
    unknownFlag: {
      exitCode: 1,
      stream: 'stderr',
      message: 'Error: unknown flag: --{flag}',
      at: execAt,
      note:
        `cobra v1.7.0: the command's FlagSet is ContinueOnError (command.go:1594), pflag v1.0.5 returns "unknown flag: --{flag}" (flag.go:978) before anything runs (initConfig not yet called); ExecuteC prints "Error: " + err with PrintErrln to stderr (command.go:1079-1081)` +
        (usageShown
          ? ', then the usage text, also on stderr (c.Println -> OutOrStderr, command.go:1085-1087, 1349-1356)'
          : `; SilenceUsage is true for this command (${c.file}:${c.silenceUsageLine}) so no usage follows`) +
        `; horcrux's Execute then calls os.Exit(1) (${exitLine}). Unknown shorthand: "Error: unknown shorthand flag: 'x' in -x" (flag.go:1035).`,
    },
    badValue: {
      exitCode: 1,
      stream: 'stderr',
      message: 'Error: invalid argument "{value}" for "--{flag}" flag: {parse error}',
      at: execAt,
      note:
        'pflag v1.0.5 flag.go:471; for a flag with a shorthand the flag is named "-x, --name"; only bool/int/uint8 flags can fail (strconv.ParseBool / ParseInt(s,0,64) / ParseUint(s,0,8): base prefixes such as 0x10 are accepted, uint8 above 255 is refused); string and duration-like string flags accept anything at parse time' +
        (usageShown ? '; usage follows on stderr' : ''),
    },
    positional: positional(c),
  };
  if (c.aliases.length) entry.aliases = c.aliases;
  const notes = [`defined by ${c.fnName} (${c.file}:${c.line})`];
  if (c.silenceUsageSet.length) notes.push(`SilenceUsage changed at run time: ${c.silenceUsageSet.join(', ')}`);
  if (c.path === 'create-rsa-shards')
    notes.push(
      `deprecated (${L(ROOT, 'rsaCmd.Deprecated')}): cobra prints "Command \\"create-rsa-shards\\" is deprecated, ..." to stderr before running (command.go:852-854)`,
    );
  if (c.path === 'state set')
    notes.push(
      `alias "s" is shadowed: "state s" runs "state show" (also alias "s", ${L(STATE, 'Aliases:      []string{"s"}')}), cobra findNext takes the first match in AddCommand order (command.go:742-748)`,
    );
  if (c.path === 'version')
    notes.push(
      `prints the JSON of Info (${R(VERSION, 'type Info struct', 'CometBFTVersion  string')}) with cmd.Println, which cobra v1.7.0 writes to OutOrStderr = STDERR (command.go:1349-1356); Version/Commit are empty unless set with -ldflags -X (Makefile LD_FLAGS)`,
    );
  if (handNotes[c.path]) notes.push(handNotes[c.path]);
  if (c.path === '')
    notes.push(
      'not runnable: with no subcommand cobra prints help (stdout) and exits 0; cobra also adds the "help" and "completion" subcommands (command.go:1182, completions.go:660)',
    );
  entry.note = notes.join('; ');
  commands[c.path] = entry;
}

// ---------- config.yaml keys from the yaml tags ----------
function structFields(typeName) {
  for (const f of goFiles.filter((x) => x.startsWith('signer/'))) {
    const s = text(f);
    const re = new RegExp(`^type ${typeName} struct \\{`, 'm');
    const m = re.exec(s);
    if (!m) continue;
    const open = m.index + m[0].length - 1;
    const close = matchClose(s, open);
    const body = s.slice(open + 1, close);
    const startLine = lineAt(s, open);
    const out = [];
    body.split('\n').forEach((l, i) => {
      const fm = /^\s*(\w+)\s+(\S+)\s+`([^`]*)`/.exec(l);
      if (!fm) return;
      const ym = /yaml:"([^"]*)"/.exec(fm[3]);
      if (!ym) return;
      const [tagName, ...opts] = ym[1].split(',');
      out.push({
        field: fm[1],
        type: fm[2],
        yaml: tagName,
        omitempty: opts.includes('omitempty'),
        file: f,
        line: startLine + i,
      });
    });
    return out;
  }
  return null;
}
function typeDecl(name) {
  for (const f of goFiles.filter((x) => x.startsWith('signer/'))) {
    const m = new RegExp(`^type ${name} (.+)$`, 'm').exec(text(f));
    if (m) return m[1].trim();
  }
  return null;
}
const rawKeys = [];
function walk(typeName, prefix) {
  const fields = structFields(typeName);
  if (!fields) {
    problems.push(`struct not found: ${typeName}`);
    return;
  }
  for (const fd of fields) {
    const path = prefix + fd.yaml;
    let t = fd.type.replace(/^\*/, '');
    let goType = fd.type;
    const decl = /^[A-Z]/.test(t) ? typeDecl(t) : null;
    let kind;
    let elem = null;
    if (/^\[\]/.test(t)) {
      kind = 'list';
      elem = t.slice(2);
    } else if (decl && /^\[\]/.test(decl)) {
      kind = 'list';
      elem = decl.slice(2);
      goType += ` (${decl})`;
    } else if (decl && decl.startsWith('struct')) kind = 'object';
    else if (decl === 'string') {
      kind = 'enum';
      goType += ' (string)';
    } else kind = t;
    rawKeys.push({
      path,
      kind,
      goType,
      omitempty: fd.omitempty,
      at: { file: fd.file, line: fd.line },
      struct: typeName,
      field: fd.field,
    });
    if (kind === 'object') walk(t, path + '.');
    if (kind === 'list' && elem && typeDecl(elem)?.startsWith('struct')) walk(elem, path + '[].');
  }
}
walk('Config', '');

const keyFacts = {
  keyDir: {
    type: 'path',
    required: false,
    default: '<home>',
    note: `where the key files are looked up: <keyDir>/{chain-id}_shard.json, <keyDir>/ecies_keys.json, <keyDir>/rsa_keys.json, <keyDir>/{chain-id}_priv_validator_key.json; nil or "" -> the home dir (${R(SCFG, 'func (c RuntimeConfig) cachedKeyDirectory', 'return filepath.Join(keyDir, "ecies_keys.json")')})`,
  },
  signMode: {
    type: 'enum',
    values: ['threshold', 'single'],
    required: true,
    note: `no default: a missing or other value makes start panic "unexpected sign mode: %s" (${L(START, 'unexpected sign mode')}), exit 2 (Go runtime panic, stderr); address panics the same way. Constants ${R(SCFG, 'SignModeThreshold SignMode = "threshold"', 'SignModeSingle    SignMode = "single"')}`,
  },
  thresholdMode: {
    type: 'object',
    required: false,
    requiredWhen: 'signMode: threshold',
    note: `missing in threshold mode -> "cosigner config can't be empty" (${L(SCFG, "cosigner config can't be empty")}); ignored in single mode`,
  },
  'thresholdMode.threshold': {
    type: 'int',
    required: true,
    note: `no default (0 fails the majority check); must satisfy n/2 < threshold <= n with n = number of cosigners (${R(SCFG, 'if c.ThresholdModeConfig.Threshold <= numShards/2', 'numShards, c.ThresholdModeConfig.Threshold)')}): minimum 1 of 1, 2 of 2, 2 of 3, 3 of 4, 3 of 5`,
  },
  'thresholdMode.cosigners': {
    type: 'list',
    required: true,
    note: 'one entry per cosigner INCLUDING this one; n = its length',
  },
  'thresholdMode.cosigners[].shardID': {
    type: 'int',
    required: true,
    note: `1..n, unique (${L(SCFG, 'if cosigner.ShardID < 1 || cosigner.ShardID > shards')}); this cosigner's own entry is the one whose shardID equals the id in ecies_keys.json (${L(THR, 'if c.ShardID != security.GetID()')})`,
  },
  'thresholdMode.cosigners[].p2pAddr': {
    type: 'url',
    required: true,
    note: `must be scheme://host:port, e.g. tcp://10.0.0.1:2222: url.Parse then net.SplitHostPort(url.Host) (${R(SCFG, 'url, err := url.Parse(cosigner.P2PAddr)', 'host, _, err := net.SplitHostPort(url.Host)')}); host 0.0.0.0 refused. The own entry's port is the raft/gRPC listen port (all interfaces), the others are dialled at url.Host (${R(RAFT, 'func p2pURLToRaftAddress', 'return url.Host')})`,
  },
  'thresholdMode.grpcTimeout': {
    type: 'duration',
    required: true,
    note: `Go duration string (time.ParseDuration: "500ms", "1s"); no load-time default: absent = "" fails "invalid grpcTimeout: time: invalid duration \\"\\"" (${L(SCFG, 'invalid grpcTimeout')}). The 500ms default exists only as the config init flag default (${L(CCFG, 'f.String(flagGRPCTimeout, "500ms"')}). Used as the per-cosigner gRPC deadline and the nonce fetch timeout (${L(THR, 'grpcTimeout, _ := time.ParseDuration')})`,
  },
  'thresholdMode.raftTimeout': {
    type: 'duration',
    required: true,
    note: `Go duration string; absent = "" fails "invalid raftTimeout: ..." (${L(SCFG, 'invalid raftTimeout')}); config init flag default 500ms (${L(CCFG, 'f.String(flagRaftTimeout, "500ms"')}); raft ElectionTimeout = HeartbeatTimeout = raftTimeout, LeaderLeaseTimeout = raftTimeout/2 (${R(RAFT, 'config.ElectionTimeout = s.RaftTimeout', 'config.LeaderLeaseTimeout = s.RaftTimeout / 2')})`,
  },
  chainNodes: {
    type: 'list',
    required: false,
    default: [],
    note: `optional: an empty/missing list is valid and start dials no node (${L(SCFG, 'func (cns ChainNodes) Validate() error')}; ${L(START, 'signer.StartRemoteSigners(services')})`,
  },
  'chainNodes[].privValAddr': {
    type: 'url',
    required: false,
    note: `not enforced: an entry without it (or with "") passes validation and its dial then fails and is retried forever; the CometBFT node's priv_validator_laddr that horcrux DIALS (it is the client); checked only with url.Parse (${R(SCFG, 'func (cn ChainNode) Validate() error', 'return err')}); protocol split by cometbft ProtocolAndAddress: "tcp://h:p" -> tcp h:p, no "://" -> tcp (${L(RS, 'cometnet.ProtocolAndAddress(rs.address)')}; cometbft v0.38.2 libs/net/net.go:19-26)`,
  },
  debugAddr: {
    type: 'string',
    required: false,
    default: '',
    note: `host:port of the debug server (pprof + Prometheus /metrics); "" = disabled (${R(CMETRICS, 'if len(config.Config.DebugAddr) == 0', 'return')}); a listen error is logged and PANICS the process (${R(CMETRICS, 'if err := srv.ListenAndServe(); err != nil', 'panic(err)')})`,
  },
  grpcAddr: {
    type: 'string',
    required: false,
    default: '',
    note: `host:port of an optional RemoteSigner gRPC listener; "" = none (${R(START, 'if config.Config.GRPCAddr != ""', 'return fmt.Errorf("failed to start grpc server: %w", err)')}); net.Listen("tcp", grpcAddr) (${L('signer/remote_signer_grpc_server.go', 'sock, err := net.Listen("tcp", s.listenAddr)')})`,
  },
  maxReadSize: {
    type: 'int',
    required: false,
    default: 1048576,
    note: `bytes, max privval message frame; <= 0 (or absent) -> 1048576 when reading (${R(IO, 'if maxReadSize <= 0', 'maxReadSize = 1024 * 1024')}); config init writes 1048576 (${L(CCFG, 'f.Int(flagMaxReadSize, 1024*1024')})`,
  },
};
const keys = rawKeys.map((k) => {
  const f = keyFacts[k.path];
  if (!f)
    problems.push(`config key without hand annotation (new in this version?): ${k.path} (${k.at.file}:${k.at.line})`);
  const e = { path: k.path, type: f?.type || k.kind };
  if (f?.values) e.values = f.values;
  if (f && 'required' in f) e.required = f.required;
  if (f?.requiredWhen) e.requiredWhen = f.requiredWhen;
  if (f && 'default' in f) e.default = f.default;
  e.at = k.at;
  e.note = `Go ${k.struct}.${k.field} ${k.goType}${k.omitempty ? ', omitempty' : ''}` + (f?.note ? `; ${f.note}` : '');
  return e;
});
for (const p of Object.keys(keyFacts))
  if (!rawKeys.find((k) => k.path === p)) problems.push(`annotated config key no longer in the structs: ${p}`);

// validation: message = the Go string literal on the anchored line that contains the needle
function literalOn(file, needle) {
  const ln = lineOf(file, needle);
  if (!ln) return { message: needle, at: { file, line: 0 } };
  const l = lines(file)[ln - 1];
  for (const m of l.matchAll(/"((?:[^"\\]|\\.)*)"|`([^`]*)`/g)) {
    const v = m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2];
    if (v.includes(needle)) return { message: v, at: { file, line: ln } };
  }
  return { message: needle, at: { file, line: ln } };
}
const V = (stage, check, file, needle, extra) => ({
  stage,
  check,
  ...literalOn(file, needle),
  ...(extra ? { note: extra } : {}),
});
const VT = 'ValidateThresholdModeConfig (start in threshold mode; also config init without --bare, and address)';
const validation = [
  V(
    'start',
    'another horcrux is running: the pid file <home>/horcrux.pid names a live process (first check in RunE; the config has been read but not checked)',
    SVC,
    'horcrux is already running on PID',
    `RequireNotRunning (${L(START, 'signer.RequireNotRunning(logger, config.PidFile)')}); stale pid file: removed with an error log, start continues (${R(SVC, 'if errors.Is(err, os.ErrProcessDone)', 'return nil')})`,
  ),
  V(
    'start',
    'legacy v2 config: the file parses as the v2 schema and has a non-empty top-level chain-id',
    START,
    'this is a legacy config',
    `legacyConfig ${R(MIGRATE, 'func legacyConfig()', 'return legacyConfig, nil')}, v2 validate ${R(MIGRATE, 'func (c *v2Config) validate()', 'return nil')}`,
  ),
  V(
    'start',
    'signMode is neither threshold nor single (also when missing or when the file could not be read)',
    START,
    'unexpected sign mode',
    'panic, not an error return: Go runtime prints "panic: unexpected sign mode: ..." + goroutine trace on stderr, exit 2',
  ),
  V(
    'start (single mode)',
    '--accept-risk not given',
    SINGLE,
    'risk not accepted',
    'panic (exit 2, stderr), after the warning banner on stdout; then ValidateSingleSignerConfig = the chainNodes check below',
  ),
  {
    stage: VT,
    check: 'step 1 (and the whole of ValidateSingleSignerConfig): every chainNodes[].privValAddr must pass url.Parse',
    message: '{url.Parse error}',
    at: at(SCFG, '_, err := url.Parse(cn.PrivValAddr)'),
    note: `net/url's own error text, returned unwrapped (${L(SCFG, 'if err := c.ValidateSingleSignerConfig(); err != nil')}); nearly any string parses`,
  },
  V(VT, 'thresholdMode missing', SCFG, "cosigner config can't be empty"),
  V(
    VT,
    'threshold must be a strict majority: threshold > n/2 (integer division, n = len(cosigners)); also catches a missing/0 threshold',
    SCFG,
    'must be greater than number of shards (%d) / 2',
  ),
  V(VT, 'threshold must not exceed n', SCFG, 'must be greater or equal to threshold'),
  V(VT, 'raftTimeout must parse with time.ParseDuration (absent = "" fails)', SCFG, 'invalid raftTimeout: %w'),
  V(VT, 'grpcTimeout must parse with time.ParseDuration (absent = "" fails)', SCFG, 'invalid grpcTimeout: %w'),
  V(
    VT,
    'duplicate shardID values',
    SCFG,
    'found duplicate cosigner shard ID(s) in args',
    `%v prints the map shardID -> [p2pAddrs] of the duplicated ids only (${R(SCFG, 'func duplicateCosigners', 'return idAddrs')}); CosignersConfig.Validate runs twice (${R(SCFG, 'if err := c.ThresholdModeConfig.Cosigners.Validate(); err != nil', 'return c.ThresholdModeConfig.Cosigners.Validate()')}), harmless`,
  ),
  V(
    VT,
    'each shardID must be in 1..n (checked per entry, in list order, together with the three address checks below)',
    SCFG,
    'in args is out of range, must be between 1 and %d, inclusive',
  ),
  V(
    VT,
    'p2pAddr must pass url.Parse (e.g. "127.0.0.1:2222" without a scheme fails here: first path segment in URL cannot contain colon)',
    SCFG,
    'p2p address: %w',
  ),
  V(
    VT,
    'url.Host of p2pAddr must be host:port, so p2pAddr needs a scheme: a scheme-less "host:2222" parses as scheme "host" with an empty Host and fails here, as does a missing port',
    SCFG,
    'host port: %w',
  ),
  V(VT, 'host 0.0.0.0 refused (must be reachable from the other cosigners)', SCFG, 'host cannot be 0.0.0.0'),
  V(
    VT,
    'count check (dead code: shards is len(cosigners), so it can never fire)',
    SCFG,
    'incorrect number of cosigners',
  ),
  V(
    'start (threshold mode, after validation)',
    'the own cosigner key <keyDir>/ecies_keys.json, else <keyDir>/rsa_keys.json, must exist and load',
    THR,
    'failed to initialize cosigner ECIES / RSA security',
    `the wrapped errors are e.g. "file doesn't exist at path (%s): %w" (${L(SCFG, "file doesn't exist at path")}) or "error reading cosigner key (%s): %w" (${L(SCFG, 'error reading cosigner key (%s): %w')})`,
  ),
  V(
    'start (threshold mode, after validation)',
    'a gRPC client for each other cosigner',
    THR,
    'failed to initialize remote cosigner: %w',
  ),
  V(
    'start (threshold mode, after validation)',
    'own shard id (the "id" in ecies_keys.json) must have a cosigners[] entry',
    THR,
    'cosigner config does not exist for our shard ID',
  ),
  V(
    'start (threshold mode, after validation)',
    '<home>/raft must be creatable',
    THR,
    'error creating raft directory: %w',
  ),
  V('start', 'grpcAddr (if set) must be listenable', START, 'failed to start grpc server: %w'),
  V(
    'start (asynchronous, panic)',
    'the own p2pAddr must yield a port, and that port must be free: an error in the raft/gRPC listener goroutine panics the process (exit 2)',
    RAFT,
    'failed to parse local address: %s, %v',
    `${R(RAFT, 'func (s *RaftStore) OnStart() error', 'panic(err)')}`,
  ),
  V(
    'start (asynchronous, panic)',
    'debugAddr (if set) must be listenable: logged, then panic (exit 2)',
    CMETRICS,
    'Debug Endpoint failed to start: %+v',
  ),
  V(
    'first PubKey/Sign request for a chain (NOT at start)',
    'the shard file <keyDir>/{chain-id}_shard.json must exist',
    SCFG,
    "file doesn't exist at path",
    `loaded lazily per chain-id (${L(LC, 'signer, err = NewThresholdSignerSoft(cosigner.config, cosigner.GetID(), chainID)')}); start does not check it; the request fails and the error goes back to the node`,
  ),
  V(
    'first PubKey/Sign request for a chain (NOT at start)',
    'the shard file id must equal this cosigner id (the ecies_keys.json id)',
    SOFT,
    'does not match cosigner ID',
  ),
];
const onError = {
  exitCode: 1,
  stream: 'stderr',
  message: 'Error: {message}',
  at: execAt,
  note: `start returns the non-panic checks above as errors from RunE: cobra v1.7.0 prints "Error: <message>" to stderr (command.go:1079-1081), no usage because start has SilenceUsage: true (${L(START, 'SilenceUsage: true')}), and horcrux's Execute exits 1 (${exitLine}). Checks after the "Horcrux Validator" log line (${L(START, '"Horcrux Validator"')}) come after that line on stdout. The "panic" stages exit 2 with "panic: ..." on stderr. The per-request checks never stop the process: the error is returned to the node as a RemoteSignerError (${L(RS, 'Description: err.Error(),')}).`,
};

const configFile = {
  command: 'start',
  locatedBy: `<home>/config.yaml, home from --home, default $HOME/.horcrux; ${L(ROOT, 'ConfigFile: filepath.Join(home, "config.yaml")')} (default home ${L(ROOT, 'home = filepath.Join(userHome, ".horcrux")')}); there is no flag naming the file`,
  format: 'yaml',
  at: at(ROOT, 'err := viper.ReadInConfig()'),
  readBy: `every command (cobra.OnInitialize(initConfig), ${L(ROOT, 'cobra.OnInitialize(initConfig)')}); start, address, leader, elect use it; config init writes it (${L(SCFG, 'return os.WriteFile(c.ConfigFile, c.Config.MustMarshalYaml(), 0600)')})`,
  keys,
  unknownKey: 'ignored',
  unknownKeyAt: at(ROOT, 'handleInitError(yaml.Unmarshal(bz, &config.Config))'),
  badValue: {
    exitCode: 1,
    stream: 'stdout',
    message: 'yaml: unmarshal errors:\n  line {line}: cannot unmarshal {tag} `{value}` into {type}',
    at: at(ROOT, 'handleInitError(yaml.Unmarshal(bz, &config.Config))'),
    note: `handleInitError prints with fmt.Println (STDOUT) and os.Exit(1) (${R(ROOT, 'func handleInitError', 'os.Exit(1)')}); yaml.v2 v2.4.0 decode.go:253-265, yaml.go:274-276 (values over 10 chars are cut to 7 + "..."). viper.Unmarshal runs first (${L(ROOT, 'handleInitError(viper.Unmarshal(&config.Config))')}) with mapstructure WeaklyTypedInput (viper v1.16.0 viper.go:1112-1121) and may fail first for top-level keys with mapstructure's message (mapstructure v1.5.0 is not on this machine: text not verified). A YAML SYNTAX error is NOT fatal here: viper.ReadInConfig fails, "no config exists at default location While parsing config: {yaml.v3 error}" is printed to stdout and horcrux continues with an empty config (${R(ROOT, 'err := viper.ReadInConfig()', 'return')}), so start then panics "unexpected sign mode: " (exit 2).`,
  },
  validation,
  validationOnError: onError,
};

// ---------- metrics ----------
const names = [];
for (const f of goFiles) {
  const s = text(f);
  for (const m of s.matchAll(/\b(promauto|prometheus)\.New(Counter|Gauge|Summary|Histogram)(Vec)?\(/g)) {
    const open = m.index + m[0].length - 1;
    const args = splitArgs(s, open);
    const opts = args[0]?.text || '';
    const field = (k) => {
      const mm = new RegExp(`\\b${k}:\\s*((?:"(?:[^"\\\\]|\\\\.)*"\\s*\\+?\\s*)+)`).exec(opts);
      return mm ? goString(mm[1].trim().replace(/\+$/, '').trim()) : undefined;
    };
    const name = field('Name');
    if (!name) {
      problems.push(`metric without literal Name: ${f}:${lineAt(s, m.index)}`);
      continue;
    }
    const full = [field('Namespace'), field('Subsystem'), name].filter(Boolean).join('_');
    const type = m[2].toLowerCase();
    const e = { name: full, type, help: field('Help'), at: { file: f, line: lineAt(s, m.index) } };
    const nn = [];
    if (m[3]) {
      const lab = /\[\]string\{([^}]*)\}/.exec(args[1]?.text || '');
      nn.push(
        `labels: ${
          lab
            ? lab[1]
                .split(',')
                .map((x) => goValue(x))
                .join(', ')
            : '?'
        }; a Vec shows no sample until the first label value is used`,
      );
    }
    if (type === 'summary') nn.push(`exposed as ${full}{quantile="0.5|0.9|0.99"}, ${full}_sum, ${full}_count`);
    if (type === 'histogram') nn.push(`exposed as ${full}_bucket, ${full}_sum, ${full}_count`);
    if (nn.length) e.note = nn.join('; ');
    names.push(e);
  }
}
const metrics = [
  {
    path: '/metrics',
    enabledBy: `config key debugAddr (host:port); "" -> "debug-addr not defined; debug server disabled" and nothing is served (${R(CMETRICS, 'if len(config.Config.DebugAddr) == 0', 'return')}); started by start only (${L(START, 'go EnableDebugAndMetrics(cmd.Context(), out)')}). The same server serves /debug/pprof/* and redirects / to /debug/pprof (${R(CMETRICS, 'mux.HandleFunc("/debug/pprof/", pprof.Index)', 'http.RedirectHandler')})`,
    at: at(CMETRICS, 'mux.Handle("/metrics", promhttp.Handler())'),
    names,
    prefixRules: `horcrux's own metrics set no Namespace/Subsystem: the names are the literal Name strings (all start "signer_") registered with promauto on the default registry (${SMETRICS}); promhttp.Handler() serves that default registry (client_golang v1.17.0 promhttp/http.go:77-81).`,
    dynamicNames: [
      {
        pattern:
          'horcrux_<hostname>_runtime_{num_goroutines,alloc_bytes,sys_bytes,malloc_count,free_count,heap_objects,total_gc_pause_ns,total_gc_runs}',
        type: 'gauge',
        at: at(CMETRICS, 'metrics.NewGlobal(metrics.DefaultConfig("horcrux"), sink)'),
        note: 'armon/go-metrics v0.4.1 global with DefaultConfig("horcrux"): ServiceName "horcrux" is prefixed to every key, and for GAUGES the hostname is inserted after it (EnableHostname true, metrics.go:20-37, start.go:57-67); runtime stats every 1s (EnableRuntimeMetrics, start.go:83-85, metrics.go:244-256). Prometheus sink: key parts joined with "_", " ", ".", "=", "-", "/" replaced by "_" (prometheus/prometheus.go:250-254), so a hostname "node-1.lan" gives horcrux_node_1_lan_runtime_num_goroutines; sink metrics expire 60s after their last update (DefaultPrometheusOpts prometheus.go:21-24)',
      },
      {
        pattern: 'horcrux_runtime_gc_pause_ns',
        type: 'summary',
        at: at(CMETRICS, 'metrics.NewGlobal(metrics.DefaultConfig("horcrux"), sink)'),
        note: 'go-metrics AddSample (metrics.go:273) -> summary with quantiles 0.5/0.9/0.99, no hostname (only gauges get it)',
      },
      {
        pattern: 'horcrux_raft_* (gauges: horcrux_<hostname>_raft_*)',
        type: 'mixed',
        at: at(CMETRICS, 'Add metrics from raft'),
        note: 'raft metrics through the same go-metrics global; hashicorp/raft v1.6.0 is not on this machine, so the names (and whether raft v1.6.0 emits through armon/go-metrics at all) were not verified',
      },
      {
        pattern: 'go_*, process_*',
        type: 'mixed',
        at: at(CMETRICS, 'mux.Handle("/metrics", promhttp.Handler())'),
        note: 'client_golang v1.17.0 default registry pre-registers the process and Go collectors (prometheus/registry.go:60-63)',
      },
      {
        pattern: 'promhttp_metric_handler_requests_total{code}, promhttp_metric_handler_requests_in_flight',
        type: 'counter, gauge',
        at: at(CMETRICS, 'mux.Handle("/metrics", promhttp.Handler())'),
        note: 'added by promhttp.Handler() InstrumentMetricHandler (client_golang v1.17.0 promhttp/http.go:247-270)',
      },
    ],
  },
];

// ---------- notes ----------
const notes = [
  `Home layout: <home> = --home or $HOME/.horcrux (${R(ROOT, 'if config.HomeDir == ""', 'home = config.HomeDir')}); config ${L(ROOT, 'ConfigFile: filepath.Join(home, "config.yaml")')}, state dir <home>/state ${L(ROOT, 'StateDir:   filepath.Join(home, "state")')}, pid file <home>/horcrux.pid ${L(ROOT, 'PidFile:    filepath.Join(home, "horcrux.pid")')}, raft dir <home>/raft (start creates it 0700, ${R(THR, 'raftDir := filepath.Join(config.HomeDir, "raft")', 'os.MkdirAll(raftDir, 0700)')}). start creates <home>/state with mode 0700 (${L(START, 'os.MkdirAll(config.StateDir, 0700)')}); config init creates it 0755 (${L(CCFG, 'os.MkdirAll(config.StateDir, 0755)')}).`,
  `How config.yaml is read (every command, before RunE): viper.SetConfigFile(<home>/config.yaml), SetEnvPrefix("horcrux"), AutomaticEnv, ReadInConfig, viper.Unmarshal, then the raw file is read again and yaml.v2 Unmarshal is applied on top (${R(ROOT, 'viper.SetConfigFile(config.ConfigFile)', 'handleInitError(yaml.Unmarshal(bz, &config.Config))')}). A missing or unparsable file only prints "no config exists at default location <err>" to STDOUT and continues with an empty config (${L(ROOT, 'no config exists at default location')}). HORCRUX_* environment variables have no practical effect on keys present in the file, because the yaml.v2 pass overwrites them from the file (inferred from ${R(ROOT, 'viper.SetEnvPrefix("horcrux")', 'handleInitError(yaml.Unmarshal(bz, &config.Config))')}).`,
  `Unknown config keys are ignored: the authoritative pass is gopkg.in/yaml.v2 v2.4.0 yaml.Unmarshal (${L(ROOT, 'handleInitError(yaml.Unmarshal(bz, &config.Config))')}), the NON-strict decoder (yaml.go:80-82; only UnmarshalStrict, yaml.go:88-90, reports "field %s not found in type %s", decode.go:775-777); viper's Unmarshal uses mapstructure with WeaklyTypedInput and no ErrorUnused (viper v1.16.0 viper.go:1112-1121; mapstructure's default for ErrorUnused is false -- mapstructure v1.5.0 is not on this machine, not verified). Keys are case-sensitive camelCase as in the yaml tags (${R(SCFG, 'type Config struct', 'MaxReadSize         int')}); a kebab-case key such as debug-addr is therefore silently ignored.`,
  `Never write a top-level chain-id key: start re-reads config.yaml as the v2 schema and, if chain-id is non-empty, refuses with "this is a legacy config. run \`horcrux config migrate\` to migrate to the latest format" (${R(START, 'if _, err := legacyConfig(); err == nil', 'this is a legacy config')}, ${R(MIGRATE, 'func legacyConfig()', 'return legacyConfig, nil')}, ${R(MIGRATE, 'func (c *v2Config) validate()', 'return nil')}).`,
  `Canonical config as horcrux writes it (config init / migrate): yaml.v2 Marshal of signer.Config (${R(SCFG, 'func (c *Config) MustMarshalYaml()', 'return out')}), keys in struct order signMode, thresholdMode{threshold, cosigners[{shardID, p2pAddr}], grpcTimeout, raftTimeout}, chainNodes[{privValAddr}], debugAddr, grpcAddr, maxReadSize; keyDir only when set; see cmd/horcrux/cmd/testdata/config-migrated.yaml. config init in single mode never sets grpcAddr (${R(CCFG, '// Single Signer Config', 'MaxReadSize:   maxReadSize,')}).`,
  `Ed25519 key shard: <keyDir>/{chain-id}_shard.json (${R(SCFG, 'func (c RuntimeConfig) KeyFilePathCosigner', 'fmt.Sprintf("%s_shard.json", chainID)')}), keyDir defaulting to <home>. JSON (encoding/json, []byte as base64) {"pubKey": base64(protobuf tendermint.crypto.PublicKey{ed25519}), "privateShard": base64, "id": N} (${R(KEY, 'type CosignerEd25519Key struct', 'ID           int')}, MarshalJSON ${R(KEY, 'func (key *CosignerEd25519Key) MarshalJSON()', 'Alias:  (*Alias)(key),')}); the reader falls back to amino-encoded pubKey bytes (${R(KEY, 'var pub cometcryptoed25519.PubKey', 'pubkey = pub')}). create-ed25519-shards writes <out>/cosigner_<i>/<chain-id>_shard.json for i = 1..shards with "id": i (${R(SHARES, 'func CreateCosignerEd25519Shards(pv', 'ID:           i + 1,')}, ${R(SHARDS, 'for _, c := range csKeys', 'Created Ed25519 Shard %s')}), file mode 0600 (${R(SHARES, 'func WriteCosignerEd25519ShardFile', 'os.WriteFile(file, jsonBytes, 0600)')}), directories 0700 (${R(SHARDS, 'func createCosignerDirectoryIfNecessary', 'os.Mkdir(dir, 0700)')}). It is loaded lazily on the first PubKey/Sign request for that chain-id, not at start (${R(LC, 'func (cosigner *LocalCosigner) LoadSignStateIfNecessary', 'signer, err = NewThresholdSignerSoft')}); its id must equal the cosigner id (${L(SOFT, 'does not match cosigner ID')}).`,
  `Cosigner communication key: <keyDir>/ecies_keys.json (${R(SCFG, 'func (c RuntimeConfig) KeyFilePathCosignerECIES', 'return filepath.Join(keyDir, "ecies_keys.json")')}); fallback <keyDir>/rsa_keys.json (deprecated, ${R(THR, 'security, eciesErr = config.CosignerSecurityECIES()', 'failed to initialize cosigner ECIES / RSA security')}). ecies_keys.json JSON, key order as written: {"eciesKey": base64(secp256k1 private scalar D bytes), "eciesPubs": [base64(65 bytes 0x04||X(32)||Y(32)) for cosigners 1..n], "id": N} (${R(ECIES, 'type CosignerECIESKey struct', 'ECIESPubs []*ecies.PublicKey')}, ${R(ECIES, 'func (key *CosignerECIESKey) MarshalJSON()', 'Alias:     (*Alias)(key),')}). Reading takes the own public key as eciesPubs[id-1] (${L(ECIES, 'PublicKey: *key.ECIESPubs[aux.ID-1],')}): an id of 0 or larger than the list would panic (index out of range; inferred). Its "id" IS this cosigner's shard id (${L(THR, 'if c.ShardID != security.GetID()')}). create-ecies-shards writes <out>/cosigner_<i>/ecies_keys.json (${R(SHARDS, 'filename := filepath.Join(dir, "ecies_keys.json")', 'Created ECIES Shard %s')}); every cosigner needs its own ecies_keys.json plus one {chain-id}_shard.json per chain with the same id. rsa_keys.json: {"rsaKey": base64(PKCS#1 private), "rsaPubs": [base64(PKCS#1 public)...], "id": N} (${R('signer/cosigner_security_rsa.go', 'type CosignerRSAKey struct', 'Alias:   (*Alias)(key),')}).`,
  `State files: <home>/state/{chain-id}_priv_validator_state.json (cluster high-watermark) and <home>/state/{chain-id}_share_sign_state.json (this cosigner's share high-watermark) (${R(SCFG, 'func (c RuntimeConfig) PrivValStateFile', 'fmt.Sprintf("%s_share_sign_state.json", chainID)')}). Both are signer.SignState (${R(SS, 'type SignState struct', 'VoteExtensionSignature []byte')}) written with cometbft libs/json MarshalIndent + tempfile.WriteFileAtomic, mode 0600 (${R(SS, 'func saveSignState(ss *SignState)', 'tempfile.WriteFileAtomic(outFile, jsonBytes, 0600)')}): {"height": "<int64>", "round": "<int64>", "step": <int8>, "nonce_public": ..., "signature": ..., "signbytes": ..., "vote_ext_signature": ...}. height and round are JSON STRINGS, step a NUMBER: cometbft v0.38.2 libs/json encodes int64 as a quoted string (encoder.go:104-107) and the reader refuses a bare number with "invalid 64-bit integer encoding %q, expected string" (decoder.go:87-91); int8 goes through encoding/json. Steps: 1 = proposal, 2 = prevote, 3 = precommit (${R(SS, 'stepPropose   int8 = 1', 'stepPrecommit int8 = 3')}). Byte fields are base64, signbytes upper-case hex (cometbft HexBytes); omitempty only drops nil slices (cometjson uses reflect IsZero, encoder.go:192), and saves after a signature go through lockedCopy, which makes non-nil empty slices (${R(SS, 'func (signState *SignState) lockedCopy()', 'filePath:               signState.filePath,')}), so those fields then appear as "".`,
  `Missing state file: created empty on first use, no error -- {"height": "0", "round": "0", "step": 0, "nonce_public": null} (LoadOrCreateSignState ${R(SS, 'func LoadOrCreateSignState', 'return LoadSignState(filepath)')}); start itself does not touch them, they are loaded per chain-id on the first request (${R(TV, 'func (pv *ThresholdValidator) LoadSignStateIfNecessary', 'return pv.myCosigner.LoadSignStateIfNecessary(chainID)')}). "state show" uses LoadSignState (no create, ${R(STATE, 'pv, err := signer.LoadSignState(config.PrivValStateFile(chainID))', 'cs, err := signer.LoadSignState(config.CosignerStateFile(chainID))')}), so a missing file fails it with the os.ReadFile error ("open <path>: no such file or directory"), exit 1. A state file that exists but does not parse fails the request (LoadSignState ${R(SS, 'func LoadSignState', 'return state.FreshCache(), nil')}).`,
  `state show/set/import need <home> to exist (${L(STATE, 'does not exist, initialize config with horcrux config init')}). state set <chain-id> <height> sets BOTH state files to (height, round 0, step 0) (${R(STATE, 'signState := signer.SignStateConsensus{', 'Step:      0,')}); it refuses while horcrux runs (pid file, ${L(STATE, 'if err := signer.RequireNotRunning(logger, config.PidFile); err != nil {')}) and cannot move backwards: a lower HRS than stored fails "regression not allowed" (${L(SS, 'regression not allowed')}), an equal one "HRS is the same as current: %d:%d:%d" (${L(SS, 'HRS is the same as current')}). state import <chain-id> prints a prompt, waits 2 s, then reads a CometBFT priv_validator_state.json from STDIN until the first empty line (${R(STATE, 'scanner := bufio.NewScanner(os.Stdin)', 'finalJSON := textBuffer.String()')}), parsed with cometjson into {height int64 (JSON string), round int32 (number), step int8 (number)} (${R(STATE, 'type FilePVLastSignState struct', 'Step   int8')}, ${L(STATE, 'err = cometjson.Unmarshal([]byte(finalJSON), &pvState)')}); same forward-only rule; prints "Update Successful".`,
  `Pid file <home>/horcrux.pid: start, state set and state import first call RequireNotRunning (${R(SVC, 'func RequireNotRunning', 'return fmt.Errorf("unexpected error while signaling horcrux PID: %d", pid)')}): if the file names a live process (signal 0 succeeds) they refuse with "horcrux is already running on PID: %d" (${L(SVC, 'horcrux is already running on PID')}); EPERM -> "permission denied accessing horcrux PID: %d" (${L(SVC, 'permission denied accessing horcrux PID')}), also a refusal; a pid whose process is gone: error log "Unclean shutdown detected. ..." and the file is removed (${R(SVC, 'if errors.Is(err, os.ErrProcessDone)', 'return nil')}); unparsable content -> "unexpected error parsing PID from PID file: %s. manual deletion of PID file required. %w" (${L(SVC, 'unexpected error parsing PID from PID file')}). All exit 1 with "Error: ..." on stderr. start writes the file only after every service has started, O_CREATE|O_EXCL mode 0600, content "<pid>\\n" (${R(SVC, 'pidFile, err := os.OpenFile(pidFilePath', 'pidFile.Write([]byte(fmt.Sprintf("%d\\n", os.Getpid())))')}); failure panics. On SIGINT/SIGTERM it removes the file, stops the services and exits 0 (${R(SVC, 'cometos.TrapSignal(logger, func() {', 'close(done)')}; cometbft v0.38.2 libs/os/os.go:20-31).`,
  `Privval connection: horcrux DIALS each chainNodes[].privValAddr (the node listens on priv_validator_laddr) (${R(RS, 'func StartRemoteSigners(', 'return services, err')}). Each dial has a 2 s timeout (net.Dialer{Timeout: 2 * time.Second} ${L(RS, 'dialer := net.Dialer{Timeout: 2 * time.Second}')}, context ${L(RS, 'ctx, cancel := context.WithTimeout(ctx, connRetrySec*time.Second)')}), then a cometbft SecretConnection with a fresh ed25519 key per process (${L(RS, 'privKey:     cometcryptoed25519.GenPrivKey(),')}, ${L(RS, 'cometp2pconn.MakeSecretConnection(netConn, rs.privKey)')}). Not connected: retry every connRetrySec = 2 s (${L(RS, 'const connRetrySec = 2')}), forever, logging "Error establishing connection, will retry" with "sleep (s)"=2 and attempt=N (${R(RS, 'timer := time.NewTimer(connRetrySec * time.Second)', 'case <-timer.C:')}); on connect "Connected to Sentry" (${L(RS, 'Connected to Sentry')}); a read/write error closes and redials (${L(RS, 'Failed to read message from connection')}, ${L(RS, 'Failed to write message to connection')}). Frames are varint-delimited protobuf, max maxReadSize (${R(IO, 'func ReadMsg', 'protoReader := protoio.NewDelimitedReader(reader, maxReadSize)')}).`,
  `Raft / cosigner ports: each cosigner listens on ONE TCP port, the port of its own cosigners[].p2pAddr, on all interfaces (net.Listen("tcp", ":<port>"), ${R(RAFT, 'host := p2pURLToRaftAddress(s.RaftBind)', 'sock, err := net.Listen("tcp", fmt.Sprintf(":%s", port))')}); the host part only tells peers where to dial. That one gRPC server carries the raft transport (Jille/raft-grpc-transport), the Cosigner service, the leader health service and raftadmin (${R(RAFT, 'grpcServer := grpc.NewServer()', 'reflection.Register(grpcServer)')}). No default port in the code. A listener error panics the process (${R(RAFT, 'func (s *RaftStore) OnStart() error', 'panic(err)')}). Raft node ID = the shard id as a string (${L(THR, 'nodeID := fmt.Sprint(security.GetID())')}); <home>/raft holds logs.dat and stable.dat (boltdb) and 2 retained snapshots (${L(RAFT, 'retainSnapshotCount = 2')}, ${R(RAFT, 'logStoreFile := filepath.Join(s.RaftDir, "logs.dat")', 'stableStoreFile := filepath.Join(s.RaftDir, "stable.dat")')}); every node bootstraps the cluster with all cosigners as voters at every start (${R(RAFT, 'configuration := raft.Configuration{', 's.raft.BootstrapCluster(configuration)')}). leader dials its own p2pAddr host:port, elect all of them (multi:///h1:p1,h2:p2...) (${R('client/address.go', 'func SanitizeAddress', 'multi:///')}).`,
  `Errors and exit codes: an error returned by any command's RunE is printed by cobra v1.7.0 as "Error: <err>" on stderr (command.go:1079-1081), followed by the usage text on stderr unless the command has SilenceUsage (command.go:1085-1087); horcrux's Execute ignores the error value and calls os.Exit(1) (${exitLine}; main.go only calls cmd.Execute()). panic(...) calls (unknown signMode, single mode without --accept-risk, pid file write, debug/raft/gRPC listener failures) end with Go's "panic: ..." + stack on stderr and exit status 2. Log lines go to STDOUT through cometbft's TMLogger (${R(START, 'out := cmd.OutOrStdout()', 'cometlog.NewTMLogger(cometlog.NewSyncWriter(out))')}).`,
  `create-ed25519-shards checks, in order, after cobra's required-flag check: "key-file flag must not be empty", "chain-id flag must not be empty", "threshold flag must be > 0, <= --shards, and > --shards/2", "shards flag must be greater than zero", the key file must stat, then "threshold cannot be greater than total shards, got [threshold](%d) > [shards](%d)" and "threshold must be greater than total shards divided by 2, got [threshold](%d) <= [shards](%d) / 2" (${R(SHARDS, 'if keyFile == ""', 'divided by 2, got [threshold](%d) <= [shards](%d) / 2')}); it prints "Created Ed25519 Shard <path>" per file to stdout. create-ecies-shards: "shards must be greater than zero (%d): %w" then "Created ECIES Shard <path>" (${R(SHARDS, 'func createCosignerECIESShardsCmd', 'Created ECIES Shard %s')}).`,
  `Not determinable from horcrux's source alone (dependencies not on this machine): mapstructure v1.5.0 error texts for viper.Unmarshal type errors and its ErrorUnused default; yaml.v3 (viper's parser) behaviour on duplicate keys; the hashicorp/raft v1.6.0 metric names; the exact help/usage text cobra renders. Go standard-library behaviour used above (net/url parsing of scheme-less addresses, time.ParseDuration("") failing with time: invalid duration "", an unrecovered panic exiting with status 2) is stated from the Go documentation; no Go toolchain or stdlib source is on this machine to confirm the exact texts.`,
];

const out = {
  client: 'horcrux',
  version: tag,
  source: {
    repository: 'strangelove-ventures/horcrux',
    tag,
    commit,
    licence: /Apache License\s+Version 2\.0/.test(text('LICENSE.md')) ? 'Apache-2.0' : 'see LICENSE.md',
  },
  derivation:
    'scripts/reference/derive-horcrux.mjs (node scripts/reference/derive-horcrux.mjs <repo> <tag>) + recipes/horcrux.md; cobra v1.7.0, pflag v1.0.5, viper v1.16.0, yaml.v2 v2.4.0, cometbft v0.38.2, armon/go-metrics v0.4.1, client_golang v1.17.0 behaviour read by hand at the versions in go.mod',
  commands,
  configFiles: [configFile],
  metrics,
  notes,
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
if (problems.length) {
  console.error(problems.map((p) => `derive-horcrux: ${p}`).join('\n'));
  process.exit(2);
}
