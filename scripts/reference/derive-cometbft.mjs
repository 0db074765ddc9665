import { TAG, commit, lineAt, lsFiles, matchBrace, print, show, tryShow } from './go-common.mjs';
// ---- cometbft specific ----
const L = (t, s) => {
  const i = t.indexOf(s);
  if (i < 0) throw new Error('not found: ' + s);
  return lineAt(t, i);
};
// cobra flags: cmd.Flags()/PersistentFlags().Kind[Var][P](...)
function cobraFlags(file, onlyFunc) {
  const t0 = show(file),
    out = [];
  let t = t0;
  if (onlyFunc) {
    const i = t0.indexOf(onlyFunc);
    const c = matchBrace(t0, t0.indexOf('{', i));
    t = t0.slice(0, i).replace(/[^\n]/g, ' ') + t0.slice(i, c);
  }
  const kinds = {
    String: 'string',
    Bool: 'bool',
    Int: 'int',
    Int64: 'int',
    Uint: 'uint',
    Uint64: 'uint',
    Duration: 'duration',
    StringSlice: 'list',
    BytesHex: 'string',
    Float64: 'float',
  };
  for (const m of t.matchAll(
    /\.(Flags|PersistentFlags)\(\)\.(String|Bool|Int|Int64|Uint|Uint64|Duration|StringSlice|BytesHex|Float64)(Var)?(P)?\(/g,
  )) {
    const args = [];
    let depth = 0,
      cur = '',
      q = null;
    for (let i = m.index + m[0].length; i < t.length; i++) {
      const c = t[i];
      if (q) {
        cur += c;
        if (c === '\\') {
          cur += t[++i];
          continue;
        }
        if (c === q) q = null;
        continue;
      }
      if (c === '"' || c === '`') {
        q = c;
        cur += c;
        continue;
      }
      if (c === '(' || c === '{' || c === '[') depth++;
      if (c === ')' || c === '}' || c === ']') {
        if (depth === 0) {
          args.push(cur.trim());
          break;
        }
        depth--;
      }
      if (c === ',' && depth === 0) {
        args.push(cur.trim());
        cur = '';
        continue;
      }
      cur += c;
    }
    if (m[3]) args.shift();
    const lit = (a) => {
      const r = /^"([^"]*)"$/.exec(a || '');
      if (r) return r[1];
      const c = new RegExp(`\\b${a}\\s*=\\s*"([^"]+)"`).exec(t0);
      return c ? c[1] : null;
    };
    const name = lit(args[0]);
    if (!name) continue;
    const e = { name, kind: kinds[m[2]], repeatable: false, at: { file, line: lineAt(t, m.index) } };
    if (m[4] && lit(args[1])) e.aliases = [lit(args[1])];
    if (m[2] === 'BytesHex') e.note = 'hex-encoded bytes (pflag BytesHex)';
    if (m[1] === 'PersistentFlags')
      e.note = (e.note ? e.note + '; ' : '') + 'persistent flag of the root command (accepted by every subcommand)';
    out.push(e);
  }
  return out;
}
const startFlags = [
  ...cobraFlags('cmd/cometbft/commands/run_node.go'),
  ...cobraFlags('cmd/cometbft/commands/root.go'),
  ...cobraFlags('libs/cli/setup.go', 'func PrepareBaseCmd'),
];
startFlags.push({
  name: 'help',
  kind: 'bool',
  aliases: ['h'],
  repeatable: false,
  at: { file: 'cmd/cometbft/main.go', line: L(show('cmd/cometbft/main.go'), 'cmd.Execute()') },
  note: 'added by cobra v1.8.1 (InitDefaultHelpFlag); prints usage and exits 0',
});
const initFlags = [
  ...cobraFlags('cmd/cometbft/commands/init.go'),
  ...cobraFlags('cmd/cometbft/commands/root.go'),
  ...cobraFlags('libs/cli/setup.go', 'func PrepareBaseCmd'),
];
// config keys from config/config.go mapstructure tags
const cfg = show('config/config.go');
const structs = {};
for (const m of cfg.matchAll(/type (\w+) struct \{/g)) {
  const open = m.index + m[0].length - 1,
    close = matchBrace(cfg, open);
  const sq = [...cfg.slice(open, close).matchAll(/^\s*(\w+)\s+`mapstructure:",squash"`/gm)].map((f) => ({
    go: f[1],
    type: f[1],
    key: ',squash',
    line: 0,
  }));
  structs[m[1]] = [
    ...sq,
    ...[...cfg.slice(open, close).matchAll(/^\s*(\w+)\s+([\w.*\[\]]+)\s+`mapstructure:"([^"]*)"/gm)].map((f) => ({
      go: f[1],
      type: f[2],
      key: f[3],
      line: lineAt(cfg, open + f.index + f[0].indexOf(f[1])),
    })),
  ];
}
const tomlType = (t) =>
  ({
    string: 'string',
    bool: 'bool',
    int: 'int',
    int64: 'int',
    int32: 'int',
    uint: 'uint',
    'time.Duration': 'duration',
    '[]string': 'list',
    float64: 'float',
  })[t] || t;
const keys = [];
const walk = (sname, prefix) => {
  for (const f of structs[sname] || []) {
    const inner = f.type.replace(/^\*/, '');
    if (f.key === ',squash') {
      walk(inner, prefix);
      continue;
    }
    const p = prefix ? `${prefix}.${f.key}` : f.key;
    if (structs[inner]) {
      walk(inner, p);
      continue;
    }
    const e = { path: p, type: tomlType(f.type), at: { file: 'config/config.go', line: f.line } };
    if (f.key === 'home')
      e.note =
        'overwritten: ParseConfig sets RootDir from --home/CMTHOME and SetRoot copies it to every section (cmd/cometbft/commands/root.go:52-54)';
    if (f.type === 'time.Duration')
      e.note = 'Go duration string, e.g. "1s" (viper DecodeHook StringToTimeDurationHookFunc)';
    if (f.type === '[]string')
      e.note = 'TOML array of strings, or a comma separated string (viper StringToSliceHookFunc(","))';
    keys.push(e);
  }
};
walk('Config', '');
// FuzzConnConfig has no mapstructure tags: mapstructure matches field names case-insensitively
{
  const i = cfg.indexOf('type FuzzConnConfig struct {'),
    close = matchBrace(cfg, cfg.indexOf('{', i));
  for (const f of cfg.slice(i, close).matchAll(/^\s*(\w+)\s+([\w.]+)\s*$/gm))
    keys.push({
      path: `p2p.test_fuzz_config.${f[1].toLowerCase()}`,
      type: tomlType(f[2]),
      at: { file: 'config/config.go', line: lineAt(cfg, i + f.index + f[0].indexOf(f[1])) },
      note: 'no mapstructure tag: the Go field name matched case-insensitively by mapstructure',
    });
}
// metrics: metricsgen rules over <pkg>/metrics.go, cross-checked with metrics.gen.go
const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const names = [],
  mismatches = [];
for (const f of lsFiles().filter((x) => /^[a-z0-9_]+\/metrics\.go$/.test(x))) {
  const t = show(f);
  if (!t.includes('go:generate go run ../scripts/metricsgen')) continue;
  const sub = (/MetricsSubsystem\s*=\s*"([^"]+)"/.exec(t) || [])[1];
  const sIdx = t.indexOf('type Metrics struct {');
  const close = matchBrace(t, t.indexOf('{', sIdx));
  const body = t.slice(sIdx, close);
  const gen = tryShow(f.replace('metrics.go', 'metrics.gen.go')) || '';
  const genNames = new Set([...gen.matchAll(/Name:\s*"([^"]+)"/g)].map((x) => x[1]));
  let help = [];
  for (const ln of body.split('\n').slice(1)) {
    const c = /^\s*\/\/(.*)$/.exec(ln);
    if (c) {
      const mt = c[1].startsWith('metrics:') ? c[1].slice(8) : null;
      help = mt !== null ? ['!' + mt.trim()] : help[0] && help[0][0] === '!' ? help : [...help, c[1].trim()];
      continue;
    }
    const fm = /^\s*(\w+)\s+metrics\.(Gauge|Counter|Histogram)\s*(`[^`]*`)?/.exec(ln);
    if (!fm) {
      if (ln.trim() === '') help = [];
      continue;
    }
    const tag = fm[3] || '';
    const nm = (/metrics_name:"([^"]+)"/.exec(tag) || [])[1] || snake(fm[1]);
    const labels = [
      'chain_id',
      ...((/metrics_labels:"([^"]+)"/.exec(tag) || [])[1] || '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ];
    const full = `cometbft_${sub}_${nm}`;
    const e = { name: full, type: fm[2].toLowerCase(), at: { file: f, line: lineAt(t, sIdx + body.indexOf(ln)) } };
    const h = help.map((x) => x.replace(/^!/, '')).join(' ');
    if (h) e.help = h;
    const notes = [
      `namespace "cometbft" (config instrumentation.namespace) + subsystem "${sub}" + ${tag.includes('metrics_name') ? 'metrics_name tag' : 'snake_case(' + fm[1] + ')'}`,
      `labels: ${labels.join(', ')}`,
    ];
    if (fm[2] === 'Histogram') notes.push(`exposed as ${full}_bucket, ${full}_sum, ${full}_count`);
    e.note = notes.join('; ');
    if (!genNames.has(nm)) mismatches.push(`${full} (not in ${f.replace('metrics.go', 'metrics.gen.go')})`);
    names.push(e);
    help = [];
  }
}
names.sort((a, b) => a.name.localeCompare(b.name));
const setup = show('libs/cli/setup.go'),
  rootT = show('cmd/cometbft/commands/root.go'),
  node = show('node/node.go'),
  ver = show('version/version.go');
const version = (/TMCoreSemVer = "([^"]+)"/.exec(ver) || /CMTSemVer = "([^"]+)"/.exec(ver) || [])[1];
const unknownFlag = {
  exitCode: 1,
  stream: 'stderr',
  message: 'ERROR: unknown flag: --{flag}',
  at: { file: 'libs/cli/setup.go', line: L(setup, 'fmt.Fprintf(os.Stderr, "ERROR: %v\\n", err)') },
  note: 'cobra v1.8.1 parses with pflag ContinueOnError; Executor sets SilenceUsage/SilenceErrors (setup.go:87-88), prints "ERROR: <err>" to stderr and exits 1 (setup.go:97-105). Unknown shorthand: "ERROR: unknown shorthand flag: \'x\' in -x".',
};
const badValue = {
  exitCode: 1,
  stream: 'stderr',
  message: 'ERROR: invalid argument "{value}" for "--{flag}" flag: {parse error}',
  at: unknownFlag.at,
  note: 'pflag v1.0.5 flag.go:471',
};
print({
  client: 'cometbft',
  version: TAG,
  source: { repository: 'cometbft/cometbft', tag: TAG, commit: commit(), licence: 'Apache-2.0' },
  derivation:
    'derive-cometbft.mjs (this directory) + cometbft.md; cobra/pflag/viper behaviour read by hand at the versions in go.mod',
  commands: {
    start: {
      flags: startFlags,
      unknownFlag,
      badValue,
      positional:
        'none expected; cobra with no Args validator accepts and ignores extra positional arguments (not checked further)',
      aliases: ['node', 'run'],
    },
    init: {
      flags: [
        ...initFlags,
        {
          name: 'help',
          kind: 'bool',
          aliases: ['h'],
          repeatable: false,
          at: startFlags.at(-1).at,
          note: 'added by cobra',
        },
      ],
      unknownFlag,
      badValue,
      positional: 'none',
    },
  },
  configFiles: [
    {
      command: 'start',
      locatedBy:
        '<home>/config.<ext> or <home>/config/config.<ext> (viper SetConfigName("config") with AddConfigPath(home) then AddConfigPath(home/config); extensions tried json, toml, yaml, yml, ...; a file at <home>/config.* wins). EnsureRoot writes <home>/config/config.toml with defaults if missing.',
      format: 'toml',
      at: { file: 'libs/cli/setup.go', line: L(setup, 'viper.SetConfigName("config")') },
      keys,
      unknownKey: 'ignored',
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message: "ERROR: 1 error(s) decoding:\n\n* cannot parse '{key}' as {type}: {detail}",
        at: { file: 'cmd/cometbft/commands/root.go', line: L(rootT, 'err := viper.Unmarshal(conf)') },
        note: 'viper.Unmarshal -> mapstructure v1.5.0 WeaklyTypedInput (viper v1.19.0 viper.go:1154-1163), so e.g. "true"/1 are accepted for bools; the exact per-type message is mapstructure\'s and was not verified line by line. A TOML syntax error: "ERROR: While parsing config: ..." (viper util.go:31-32). Validation errors: "ERROR: error in config file: ..." (root.go:56-57).',
      },
    },
  ],
  metrics: [
    {
      path: '/ (any path)',
      enabledBy:
        'instrumentation.prometheus = true; listens on instrumentation.prometheus_listen_addr (default ":26660")',
      at: { file: 'node/node.go', line: L(node, 'func (n *Node) startPrometheusServer()') },
      names,
      note:
        'The http.Server Handler is promhttp.InstrumentMetricHandler(DefaultRegisterer, HandlerFor(DefaultGatherer)) with no mux (node/node.go:814-823), so every path, including /metrics, returns the metrics. Names: <instrumentation.namespace>_<MetricsSubsystem>_<snake_case(field) or metrics_name tag>; this table assumes namespace "cometbft" (the default, config/config.go:1236). Every metric carries label chain_id (node/setup.go:89-95). Also exposed: go_*, process_*, promhttp_* from the default registry.' +
        (mismatches.length
          ? ' MISMATCH with metrics.gen.go: ' + mismatches.join(', ')
          : ' All names match the generated metrics.gen.go files.'),
    },
  ],
  notes: [
    'Command: `cometbft start --home DIR` — start has aliases node and run (cmd/cometbft/commands/run_node.go:99-100); --home is a persistent root flag added by cli.PrepareBaseCmd (libs/cli/setup.go:30), env CMTHOME (or deprecated TMHOME) overrides it (cmd/cometbft/commands/root.go:39-50).',
    'Flags are bound into viper (libs/cli/setup.go:130) and override config.toml values with the same key; note p2p.external-address (run_node.go:65) uses a hyphen while the config key is p2p.external_address (config/config.go:547), so that flag binds to a key nothing reads.',
    'Config loading: bindFlagsLoadViper (libs/cli/setup.go:128-147) searches <home>/config.* first, then <home>/config/config.*; a missing file is not an error. ParseConfig (cmd/cometbft/commands/root.go:31-65) viper.Unmarshal(conf) into DefaultConfig(), then EnsureRoot (writes <home>/config/config.toml from the template if missing, config/toml.go:31-48), ValidateBasic ("error in config file: ...") and CheckDeprecated (logs, does not fail).',
    'Unknown keys in config.toml: viper.Unmarshal uses mapstructure with ErrorUnused=false (viper v1.19.0 viper.go:1154-1163), so unknown keys are silently ignored (no warning; CheckDeprecated only looks at a fixed list of old keys).',
    'Exit on error: main calls cli.Executor.Execute (cmd/cometbft/main.go:50-53) which prints "ERROR: <err>" to stderr and exits 1 (libs/cli/setup.go:86-106); the panic in main.go:52 is never reached because Exit runs first.',
    'init writes (cmd/cometbft/commands/init.go:28-81): priv_validator_key.json + priv_validator_state.json via privval.GenFilePV + Save when the key file does not exist (init.go:33-42), node_key.json via p2p.LoadOrGenNodeKey (init.go:44-52), genesis.json with chain_id "test-chain-<6 random chars>", the validator at power 10 (init.go:55-77); config.toml is written by EnsureRoot in ParseConfig (config/toml.go:45-47), before init runs. Existing files are kept.',
    'node_key.json format: {"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"<base64 of 64 bytes = 32-byte seed || 32-byte public key>"}} (p2p/key.go:28-30; type names crypto/ed25519/ed25519.go:35-36,60-61; registered-type wrapper libs/json; written 0600 at p2p/key.go:86-95). The public key is bytes 32..64 of the private key (crypto/ed25519/ed25519.go:87-104).',
    'Node ID = lowercase hex of the address of the ed25519 public key (p2p/key.go:42-46) = hex(SHA-256(pubkey)[:20]) (crypto/ed25519/ed25519.go:156-160, crypto/tmhash/hash.go:39,74-77): 40 hex characters.',
    'priv_validator_key.json: {"address":"<UPPERCASE hex of SHA-256(pubkey)[:20]>","pub_key":{"type":"tendermint/PubKeyEd25519","value":"<base64 32 bytes>"},"priv_key":{"type":"tendermint/PrivKeyEd25519","value":"<base64 64 bytes>"}} indented 2 spaces, written atomically 0600 (privval/file.go:47-70; HexBytes uppercases: libs/bytes/bytes.go:24-25). On load the address and pub_key are recomputed from priv_key (privval/file.go:209-211).',
    'priv_validator_state.json: {"height":"<int64 as string>","round":<int32>,"step":<int8>} plus "signature"/"signbytes" when set (privval/file.go:75-81; libs/json encodes int64 as a string).',
    'start with files missing (node/setup.go:64-79): node_key.json missing -> generated (p2p.LoadOrGenNodeKey, p2p/key.go:50-69); priv_validator_key.json missing -> a NEW key and state are generated and saved (privval.LoadOrGenFilePV, privval/file.go:237-246) — even when priv_validator_laddr is set (node/setup.go:71 runs before node/node.go:335); key present but state file missing -> the process exits via cmtos.Exit(err) (privval/file.go:216-220); genesis.json missing -> "ERROR: failed to create node: couldn\'t read GenesisDoc file: ..." (types/genesis.go:130, run_node.go:107-110), exit 1.',
    'Metrics: the listener answers every path (no mux). Namespace comes from instrumentation.namespace; with a different namespace every name changes prefix.',
  ],
});
