import { TAG, commit, goFiles, lineAt, matchBrace, print, show } from './go-common.mjs';
// ---- geth specific ----
const L = (t, s) => {
  const i = t.indexOf(s);
  if (i < 0) throw new Error('not found: ' + s);
  return lineAt(t, i);
};
const defFiles = [
  'cmd/utils/flags.go',
  'cmd/utils/flags_legacy.go',
  'cmd/geth/config.go',
  'cmd/geth/main.go',
  'cmd/geth/consolecmd.go',
  'internal/debug/flags.go',
];
const defs = {};
const kindOf = {
  StringFlag: 'string',
  BoolFlag: 'bool',
  IntFlag: 'int',
  Int64Flag: 'int',
  Uint64Flag: 'uint',
  UintFlag: 'uint',
  DurationFlag: 'duration',
  Float64Flag: 'float',
  StringSliceFlag: 'list',
  PathFlag: 'path',
  DirectoryFlag: 'path',
  BigFlag: 'int',
  TextMarshalerFlag: 'string',
};
for (const f of defFiles) {
  const t = show(f);
  for (const m of t.matchAll(/\b(\w+)\s*=\s*&(cli|flags)\.(\w+Flag)\{/g)) {
    const open = m.index + m[0].length - 1,
      close = matchBrace(t, open),
      body = t.slice(open, close);
    const name = (/\bName:\s*"([^"]+)"/.exec(body) || [])[1];
    if (!name) continue;
    const al = /\bAliases:\s*\[\]string\{([^}]*)\}/.exec(body);
    defs[m[1]] = {
      name,
      kind: kindOf[m[3]] || m[3],
      type: m[3],
      aliases: al
        ? al[1]
            .split(',')
            .map((s) => s.trim().replace(/"/g, ''))
            .filter(Boolean)
        : [],
      at: { file: f, line: lineAt(t, m.index) },
      usage: (/\bUsage:\s*"((?:[^"\\]|\\.)*)"/.exec(body) || [])[1] || '',
    };
  }
}
const main = show('cmd/geth/main.go');
const listIdents = (text, varName) => {
  const i = text.search(new RegExp(`\\b${varName}\\s*=`));
  if (i < 0) throw new Error('no list ' + varName);
  const open = text.indexOf('{', i),
    close = matchBrace(text, open);
  const tail = text.slice(close, text.indexOf('\n', close));
  const ids = [
    ...text
      .slice(open, close)
      .replace(/\/\/[^\n]*/g, '')
      .matchAll(/(?:utils\.|debug\.)?(\w+),/g),
  ].map((x) => x[1]);
  for (const x of tail.matchAll(/utils\.(\w+Flags)/g)) ids.push('@' + x[1]);
  return ids;
};
const utilsT = show('cmd/utils/flags.go');
const expand = (ids) =>
  ids.flatMap((id) => {
    if (id === '@NetworkFlags') return ['MainnetFlag', ...listIdents(utilsT, 'TestnetFlags')];
    if (id === '@DatabaseFlags') return listIdents(utilsT, 'DatabaseFlags');
    return [id];
  });
const all = [
  ...expand(listIdents(main, 'nodeFlags')),
  ...expand(listIdents(main, 'rpcFlags')),
  ...listIdents(show('cmd/geth/consolecmd.go'), 'consoleFlags'),
  ...listIdents(show('internal/debug/flags.go'), 'Flags'),
  ...listIdents(main, 'metricsFlags'),
];
const flagsOut = [],
  missing = [];
for (const id of all) {
  const d = defs[id];
  if (!d) {
    missing.push(id);
    continue;
  }
  const e = { name: d.name, kind: d.kind, repeatable: false, at: d.at };
  if (d.aliases.length) e.aliases = d.aliases;
  const notes = [];
  if (d.type === 'StringSliceFlag') {
    e.repeatable = true;
    notes.push('comma separated; may be repeated (values appended)');
  } else notes.push('given twice: the last value wins (Go flag package)');
  if (d.type === 'BoolFlag')
    notes.push('--name or --name=true|false (strconv.ParseBool); "--name false" does NOT work (Go flag bool)');
  if (d.type === 'BigFlag') notes.push('big integer (decimal or 0x hex)');
  if (d.type === 'TextMarshalerFlag') notes.push('parsed by UnmarshalText of the target type');
  if (/deprecated/i.test(d.usage) || d.at.file.endsWith('flags_legacy.go')) notes.push('deprecated: ' + d.usage);
  if (id === 'MetricsEnabledFlag')
    notes.push(
      'metrics are only switched on when an argument is exactly -metrics/--metrics (or env GETH_METRICS=true): metrics/metrics.go:36-55 peeks at os.Args, so --metrics=true does NOT enable collection',
    );
  e.note = notes.join('; ');
  flagsOut.push(e);
}
if (missing.length) throw new Error('unresolved flag identifiers: ' + missing.join(','));
// urfave/cli adds help/h and version/v on the root app
flagsOut.push({
  name: 'help',
  kind: 'bool',
  aliases: ['h'],
  repeatable: false,
  at: { file: 'cmd/geth/main.go', line: L(main, 'app.Run(os.Args)') },
  note: 'added by urfave/cli v2.25.7 (HelpFlag); prints help to stdout, exit 0',
});
flagsOut.push({
  name: 'version',
  kind: 'bool',
  aliases: ['v'],
  repeatable: false,
  at: { file: 'internal/flags/helpers.go', line: L(show('internal/flags/helpers.go'), 'app.Version = ') },
  note: 'added by urfave/cli v2.25.7 (VersionFlag) because app.Version is set',
});
// metric names: literal registry names
const names = [],
  seen = new Set();
const typeOf = {
  Gauge: 'gauge',
  GaugeFloat64: 'gauge',
  GaugeInfo: 'gauge',
  Counter: 'gauge',
  CounterFloat64: 'gauge',
  Meter: 'gauge',
  Timer: 'summary',
  ResettingTimer: 'summary',
  Histogram: 'summary',
};
for (const f of goFiles((x) => !x.startsWith('cmd/') || x.startsWith('cmd/geth/') || x.startsWith('cmd/utils/'))) {
  const t = show(f);
  for (const m of t.matchAll(
    /metrics\.(?:NewRegistered|GetOrRegister)(Gauge|GaugeFloat64|GaugeInfo|Counter|CounterFloat64|Meter|Timer|ResettingTimer|Histogram)\(\s*"([^"]+)"/g,
  )) {
    const prom = m[2].replace(/\//g, '_');
    if (seen.has(prom)) continue;
    seen.add(prom);
    const ty = typeOf[m[1]];
    const e = {
      name: prom,
      type: ty,
      at: { file: f, line: lineAt(t, m.index) },
      note:
        `registry name "${m[2]}" (${m[1]})` +
        (ty === 'summary'
          ? `; exposed as ${prom}_count and ${prom}{quantile="0.5|0.75|0.95|0.99|0.999|0.9999"}` +
            (m[1] === 'ResettingTimer' ? '; omitted while its count is 0' : '')
          : '') +
        (['Counter', 'CounterFloat64', 'Meter'].includes(m[1])
          ? '; written with "# TYPE gauge" (collector.go writeGaugeCounter), value = count'
          : ''),
    };
    names.push(e);
  }
}
names.sort((a, b) => a.name.localeCompare(b.name));
const coll = show('metrics/prometheus/collector.go'),
  exp = show('metrics/exp/exp.go'),
  node = show('node/node.go');
const unknownFlag = {
  exitCode: 1,
  stream: 'stderr',
  message: 'flag provided but not defined: -{flag}',
  at: { file: 'cmd/geth/main.go', line: L(main, 'fmt.Fprintln(os.Stderr, err)') },
  note: 'urfave/cli v2.25.7 command.go:162-181 first writes "Incorrect Usage: flag provided but not defined: -{flag}" and the app help to STDOUT (App.Writer); geth main then prints the error to stderr and os.Exit(1) (cmd/geth/main.go:279-283). The text of the error is Go\'s standard flag package (single dash whatever was typed); the Go source was not read here.',
};
print({
  client: 'geth',
  version: TAG.replace(/^v/, ''),
  source: {
    repository: 'ethereum/go-ethereum',
    tag: TAG,
    commit: commit(),
    licence: 'LGPL-3.0 (library) / GPL-3.0 (cmd/geth)',
  },
  derivation: 'derive-geth.mjs (this directory) + geth.md; urfave/cli behaviour read by hand at v2.25.7 (go.mod)',
  commands: {
    '': {
      flags: flagsOut,
      unknownFlag,
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message: 'invalid value "{value}" for flag -{flag}: parse error',
        at: unknownFlag.at,
        note: 'Go flag package message (not read here; "invalid boolean value" for bools); same stdout help + stderr + exit 1 path as unknownFlag',
      },
      positional: `none: "invalid command: %q" for any positional argument that is not a subcommand (cmd/geth/main.go:${L(main, 'invalid command: %q')}), exit 1`,
    },
  },
  configFiles: [],
  metrics: [
    {
      path: '/debug/metrics/prometheus',
      enabledBy:
        '--metrics (exactly, see note) and --metrics.addr (the stand-alone server is started only if metrics.addr is set: cmd/utils/flags.go:' +
        L(utilsT, 'if ctx.IsSet(MetricsHTTPFlag.Name) {') +
        '); port --metrics.port (default 6060)',
      at: { file: 'metrics/exp/exp.go', line: L(exp, 'm.Handle("/debug/metrics/prometheus"') },
      names,
      note: `The server mux registers only /debug/metrics (expvar JSON) and /debug/metrics/prometheus (metrics/exp/exp.go:${L(exp, 'func Setup(address string)')}-${L(exp, 'm.Handle("/debug/metrics/prometheus"')}); any other path, including /metrics, is 404. Prometheus name = registry name with every "/" replaced by "_" (metrics/prometheus/collector.go:${L(coll, 'func mutateKey')}-${L(coll, 'func mutateKey') + 2}); no prefix, no namespace, "-" is NOT replaced. Names built at run time (fmt.Sprintf, string concatenation, per-peer/per-message metrics) are not listed; only literal names passed to metrics.NewRegistered*/GetOrRegister* are.`,
    },
  ],
  notes: [
    `chain_head_block: registry name "chain/head/block" (core/blockchain.go:${L(show('core/blockchain.go'), '"chain/head/block"')}); p2p_peers: "p2p/peers" (p2p/metrics.go:${L(show('p2p/metrics.go'), '"p2p/peers"')}).`,
    `Missing --authrpc.jwtsecret file: geth GENERATES a random 32-byte secret and writes it, hex with 0x prefix, mode 0600, to that path (node/node.go:${L(node, 'func ObtainJWTSecret')}-${L(node, 'log.Info("Generated JWT secret"')}); if the write fails (e.g. read-only /etc under systemd ProtectSystem=strict) startRPC fails and the node does not start. An existing file must hold exactly 32 bytes of hex (0x optional, whitespace trimmed) else "invalid JWT secret" (node/node.go:338-345). Without --authrpc.jwtsecret: <datadir>/geth/jwtsecret (node/node.go:367-370).`,
    'Metrics collection switch: metrics.Enabled is decided in metrics/metrics.go init() by scanning os.Args for an argument equal to "metrics" after trimming leading dashes, or env GETH_METRICS (metrics/metrics.go:36-55). "--metrics" works; "--metrics=true" would expose an empty registry.',
    `Network presets: --mainnet, --holesky, --sepolia (cmd/utils/flags.go NetworkFlags ${L(utilsT, 'NetworkFlags = append')}); none = mainnet.`,
    `geth reads no config file unless --config is given (TOML, cmd/geth/config.go configFileFlag); stake renders none, so configFiles is empty.`,
    'Every root flag also reads env GETH_<NAME upper, "." and "-" -> "_"> (internal/flags/helpers.go:234-236, cmd/geth/main.go:261).',
  ],
});
