#!/usr/bin/env node
// Derive the cardano-node reference table from the real source at a tag.
// Usage: node derive-cardano-node.mjs <cardano-node git dir> <tag>   (prints JSON on stdout)
// Plain Node.js ESM, no dependencies; reads the repo with `git show` only.
// Scripted (regular): `long "..."` options of `run`; `v .:? "Key"` / `v .: "Key"` keys of the node
// configuration (POM.hs), legacy TraceSelection Symbol keys (Tracing/Config.hs), trace-dispatcher keys
// (ConfigurationParser.hs), topology keys (TopologyP2P.hs); metric names emitted with IntM/DoubleM/CounterM/
// PrometheusM (new tracing) and traceI/traceD/LogValue (legacy).
// Hand-checked and written below as fixed text: error messages, exit codes, name mangling, paths,
// iohk-monitoring keys (another repository) - see cardano-node.md.
import { execFileSync } from 'node:child_process';

const [repo, tag] = process.argv.slice(2);
if (!repo || !tag) {
  console.error('usage: derive-cardano-node.mjs <git dir> <tag>');
  process.exit(2);
}
const git = (...a) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
const show = (p) => git('show', `${tag}:${p}`);
const commit = git('rev-parse', `${tag}^{commit}`).trim();
const lineAt = (t, i) => t.slice(0, i).split('\n').length;
const cache = new Map();
const src = (f) => {
  if (!cache.has(f)) cache.set(f, show(f));
  return cache.get(f);
};
const L = (file, re) => {
  const t = src(file);
  const m = re.exec(t);
  if (!m) throw new Error(`${re} not in ${file}`);
  return { file, line: lineAt(t, m.index) };
};

// ------------------------------------------------------------------ run options
const PARSERS = 'cardano-node/src/Cardano/Node/Parsers.hs';
const SHUTDOWN = 'cardano-node/src/Cardano/Node/Handlers/Shutdown.hs';
const APP = 'cardano-node/app/cardano-node.hs';
function optionsIn(file) {
  const t = src(file);
  const out = [];
  const longs = [...t.matchAll(/long\s+"([^"]+)"/g)];
  longs.forEach((m, k) => {
    const start = Math.max(0, t.lastIndexOf('\n\n', m.index)); // the parser definition block
    const before = t.slice(start, m.index);
    const end =
      k + 1 < longs.length
        ? Math.min(longs[k + 1].index, t.indexOf('\n\n', m.index) < 0 ? t.length : t.indexOf('\n\n', m.index))
        : t.indexOf('\n\n', m.index);
    const after = t.slice(m.index, end < 0 ? t.length : end);
    // the builder nearest before this long
    const builders = [
      ...before.matchAll(
        /\b(strOption|switch|flag'|Opt\.flag'|Opt\.option|option|abortOption|Opt\.abortOption)(?![\w'])/g,
      ),
    ];
    const b = builders.length ? builders[builders.length - 1][1].replace(/^Opt\./, '') : '?';
    const metavar = (/metavar\s+"([^"]+)"/.exec(after) || [])[1];
    let kind = 'string';
    if (b === 'switch' || b === "flag'" || b === 'abortOption') kind = 'bool';
    else if (b === 'strOption') kind = metavar && /FILE|CONFIGURATION/.test(metavar) ? 'path' : 'string';
    else if (b === 'option') kind = /auto|bounded/.test(before.slice(-200) + after) ? 'uint' : 'string';
    const e = { name: m[1], kind, repeatable: false, at: { file, line: lineAt(t, m.index) } };
    if (metavar) e.metavar = metavar;
    const notes = [];
    if (/\bhidden\b/.test(after)) notes.push('hidden from --help');
    if (/internal/.test(after)) notes.push('internal (undocumented alias)');
    const dflt = /value\s+(\S+)/.exec(after);
    if (dflt) notes.push(`default ${dflt[1]}`);
    if (/DEPRECATED/.test(after)) notes.push('deprecated: prints a WARNING to stderr and still works');
    if (notes.length) e.note = notes.join('; ');
    out.push(e);
  });
  return out;
}
const runFlags = [...optionsIn(PARSERS), ...optionsIn(SHUTDOWN)];
// refine the kinds that the builder alone does not say
for (const f of runFlags) {
  if (f.name === 'host-addr' || f.name === 'host-ipv6-addr') {
    f.kind = 'string';
    f.note = `${f.note ? f.note + '; ' : ''}parsed with readMaybe as an IP address (eitherReader)`;
  }
  if (f.name === 'port') f.kind = 'uint';
  if (f.name === 'shutdown-ipc') f.kind = 'int';
}
runFlags.push({
  name: 'help',
  kind: 'bool',
  aliases: ['h'],
  repeatable: false,
  at: L(PARSERS, /nodeRunParser <\*\*> helper/),
  note: 'optparse-applicative helper: shows help of run, exit 0',
});
const topFlags = optionsIn(APP).map((f) => ({ ...f, kind: 'bool' }));
topFlags.push({
  name: 'help',
  kind: 'bool',
  repeatable: false,
  at: L(APP, /helperBrief "help"/),
  note: 'helperBrief: prints the brief help (InfoMsg) and exits',
});

// ------------------------------------------------------------------ node configuration keys
const POM = 'cardano-node/src/Cardano/Node/Configuration/POM.hs';
const pom = src(POM);
const keys = [];
const seen = new Set();
for (const m of pom.matchAll(/v\s+(\.:\??)\s+"([^"]+)"([^\n]*)/g)) {
  if (seen.has(m[2])) continue;
  seen.add(m[2]);
  const k = { path: m[2], type: 'see note', required: m[1] === '.:', at: { file: POM, line: lineAt(pom, m.index) } };
  const d = /\.!=\s*(.+)$/.exec(m[3]);
  if (d) k.default = d[1].trim();
  keys.push(k);
}
// legacy TraceSelection keys (only read when TurnOnLogging is true)
const TCFG = 'cardano-node/src/Cardano/Tracing/Config.hs';
const tcfg = src(TCFG);
for (const m of tcfg.matchAll(/type\s+\w+\s*=\s*\("([^"]+)"\s*::\s*Symbol\)/g)) {
  if (seen.has(m[1])) continue;
  seen.add(m[1]);
  keys.push({
    path: m[1],
    type: 'bool (OnOff)',
    required: false,
    at: { file: TCFG, line: lineAt(tcfg, m.index) },
    note: 'legacy tracing TraceSelection; read only when TurnOnLogging is true (also parsed, and ignored, under UseTraceDispatcher)',
  });
}
for (const m of tcfg.matchAll(/v\s+\.:\?\s+"([^"]+)"/g)) {
  if (seen.has(m[1])) continue;
  seen.add(m[1]);
  keys.push({
    path: m[1],
    type: 'see note',
    required: false,
    at: { file: TCFG, line: lineAt(tcfg, m.index) },
    note: 'legacy tracing TraceSelection',
  });
}
// trace-dispatcher keys (read only when UseTraceDispatcher is true)
const TDP = 'trace-dispatcher/src/Cardano/Logging/ConfigurationParser.hs';
const tdp = src(TDP);
for (const m of tdp.matchAll(/obj\s+(\.:\??)\s+"([^"]+)"/g)) {
  const p = ['severity', 'detail', 'backends', 'maxFrequency'].includes(m[2])
    ? `TraceOptions.<namespace>.${m[2]}`
    : m[2];
  if (seen.has(p)) continue;
  seen.add(p);
  keys.push({
    path: p,
    type: 'see note',
    required: m[1] === '.:',
    at: { file: TDP, line: lineAt(tdp, m.index) },
    note:
      'trace-dispatcher (new tracing): read only when UseTraceDispatcher is true' +
      (m[1] === '.:' ? '; required then' : ''),
  });
}
const TYPES = {
  Protocol: 'enum: Cardano',
  RequiresNetworkMagic: 'enum: RequiresNoMagic | RequiresMagic',
  EnableP2P: 'bool',
  PeerSharing: 'bool',
  TurnOnLogging: 'bool',
  TurnOnLogMetrics: 'bool',
  UseTraceDispatcher: 'bool',
  ExperimentalProtocolsEnabled: 'bool',
  ExperimentalHardForksEnabled: 'bool',
  TargetNumberOfRootPeers: 'int',
  TargetNumberOfKnownPeers: 'int',
  TargetNumberOfEstablishedPeers: 'int',
  TargetNumberOfActivePeers: 'int',
  TargetNumberOfKnownBigLedgerPeers: 'int',
  TargetNumberOfEstablishedBigLedgerPeers: 'int',
  TargetNumberOfActiveBigLedgerPeers: 'int',
  ByronGenesisFile: 'path (relative to the config file)',
  ShelleyGenesisFile: 'path (relative to the config file)',
  AlonzoGenesisFile: 'path (relative to the config file)',
  ConwayGenesisFile: 'path (relative to the config file)',
  GenesisFile: 'path',
  ByronGenesisHash: 'hex string',
  ShelleyGenesisHash: 'hex string',
  AlonzoGenesisHash: 'hex string',
  ConwayGenesisHash: 'hex string',
  SocketPath: 'path',
  DatabasePath: 'path',
  'LastKnownBlockVersion-Major': 'int',
  'LastKnownBlockVersion-Minor': 'int',
  'LastKnownBlockVersion-Alt': 'int',
  TraceOptions: 'object: namespace -> {severity, detail, backends, maxFrequency}',
  TraceOptionPeerFrequency: 'int (ms)',
  TraceOptionResourceFrequency: 'int (ms)',
  TraceOptionMetricsPrefix: 'string',
  TraceOptionNodeName: 'string',
  MempoolCapacityBytesOverride: 'int | "NoOverride"',
  DiffusionMode: 'enum: InitiatorOnly | InitiatorAndResponder',
  TracingVerbosity: 'enum: MinimalVerbosity | NormalVerbosity | MaximalVerbosity',
};
for (const k of keys) if (TYPES[k.path]) k.type = TYPES[k.path];
// requiredness that is not a bare `.:`
const req = {
  ByronGenesisFile: 'required unless GenesisFile is given (one of them, not both)',
  ShelleyGenesisFile: 'required unless GenesisFile is given (one of them, not both)',
  TurnOnLogMetrics:
    'effectively required: no default in defaultPartialNodeConfiguration, makeNodeConfiguration fails with "Missing LogMetrics" when absent',
  EnableP2P:
    'absent means Just False = DisabledP2PMode (the non-P2P, legacy topology format), NOT the P2P default of defaultPartialNodeConfiguration',
  UseTraceDispatcher: 'absent = False = legacy iohk-monitoring tracing',
  TurnOnLogging: 'absent = True',
  PeerSharing: 'absent = PeerSharingDisabled',
};
for (const k of keys) if (req[k.path]) k.note = (k.note ? k.note + '; ' : '') + req[k.path];

// ------------------------------------------------------------------ topology keys
const TOPO = 'cardano-node/src/Cardano/Node/Configuration/TopologyP2P.hs';
const topo = src(TOPO);
const topoKeys = [];
const ctx = (i) => {
  const b = topo.lastIndexOf('withObject "', i);
  return (/withObject "(\w+)"/.exec(topo.slice(b)) || [])[1];
};
for (const m of topo.matchAll(/o\s+(\.:\??)\s+"([^"]+)"([^\n]*)/g)) {
  const obj = ctx(m.index);
  if (obj === 'NodeSetup') continue; // not the topology file (test/bench only)
  const prefix =
    obj === 'NetworkTopology'
      ? ''
      : obj === 'RootConfig'
        ? 'localRoots[]/publicRoots[].'
        : obj === 'LocalRootPeersGroup'
          ? 'localRoots[].'
          : `${obj}.`;
  const k = {
    path: prefix + m[2],
    type: 'see note',
    required: m[1] === '.:',
    at: { file: TOPO, line: lineAt(topo, m.index) },
  };
  const d = /\.!=\s*([\w ]+)/.exec(m[3]);
  if (d) k.default = d[1].trim();
  if (m[2] === 'valency') k.note = 'hotValency is accepted instead (o .: "valency" <|> o .: "hotValency")';
  topoKeys.push(k);
}

// ------------------------------------------------------------------ metrics
const files = git('ls-tree', '-r', '--name-only', tag, '--', 'cardano-node/src')
  .split('\n')
  .filter((f) => f.endsWith('.hs'));
const newNames = new Map();
const legacyNames = new Map();
for (const f of files) {
  const t = src(f);
  if (f.includes('/Node/Tracing/')) {
    for (const m of t.matchAll(/\b(IntM|DoubleM|CounterM|PrometheusM)\s+"([^"]+)"/g)) {
      const suffix = { IntM: '_int', DoubleM: '_real', CounterM: '_counter', PrometheusM: '' }[m[1]];
      const ekg = m[2] + suffix;
      const prom = ekg.replace(/[.\- ]/g, '_').replace(/[^A-Za-z0-9_]/g, '');
      if (!newNames.has(prom))
        newNames.set(prom, {
          name: prom,
          type: m[1] === 'CounterM' ? 'counter' : m[1] === 'PrometheusM' ? 'info' : 'gauge',
          at: { file: f, line: lineAt(t, m.index) },
          note: `${m[1]} "${m[2]}"; exposed by cardano-tracer as TraceOptionMetricsPrefix (default none) + "${ekg}"`,
        });
    }
  }
  if (f.includes('/Cardano/Tracing/')) {
    for (const m of t.matchAll(/(?:traceI\s+\w+\s+\w+|traceD\s+\w+\s+\w+|LogValue)\s+"([^"]+)"/g)) {
      const isD = /^traceD/.test(m[0]);
      const n = m[1];
      if (legacyNames.has(n)) continue;
      legacyNames.set(n, { base: n, isD, at: { file: f, line: lineAt(t, m.index) } });
    }
  }
}
// legacy: EKG key = <logger name>.<value name>.<type suffix>; Prometheus name = dots/dashes/spaces -> "_" then only
// [A-Za-z_] kept (digits are dropped!). The logger name depends on the call site; the key ones are resolved by hand.
const legacyPrometheus = (logger, n, isD) =>
  `${logger}.${n}.${isD ? 'real' : 'int'}`.replace(/[.\- ]/g, '_').replace(/[^A-Za-z_]/g, '');
const HAND = {
  slotNum: 'cardano.node.metrics',
  blockNum: 'cardano.node.metrics',
  slotInEpoch: 'cardano.node.metrics',
  epoch: 'cardano.node.metrics',
  density: 'cardano.node.metrics',
  forks: 'cardano.node.metrics',
  connectedPeers: 'cardano.node.metrics.peers',
};
const legacy = [];
for (const [n, v] of legacyNames) {
  if (!HAND[n]) continue;
  legacy.push({
    name: legacyPrometheus(HAND[n], n, v.isD),
    type: v.isD ? 'untyped' : 'untyped',
    at: v.at,
    note: `legacy iohk-monitoring: LogValue "${n}" on logger ${HAND[n]} -> EKG key ${HAND[n]}.${n}.${v.isD ? 'real (EKG label)' : 'int (EKG gauge)'}; rendered without # TYPE lines`,
  });
}
const legacyOther = [...legacyNames.keys()].filter((n) => !HAND[n]);

const out = {
  client: 'cardano-node',
  version: tag,
  source: { repository: 'IntersectMBO/cardano-node', tag, commit, licence: 'Apache-2.0' },
  derivation: 'derive-cardano-node.mjs (this directory) + hand-checked parts described in cardano-node.md',
  commands: {
    '': {
      flags: topFlags,
      unknownFlag: {
        exitCode: 1,
        stream: 'stderr',
        message:
          'Invalid option `{flag}\'\\n\\nUsage: cardano-node ... (optparse-applicative renderFailure; "Did you mean this?" suggestions may follow)',
        at: {
          repository: 'input-output-hk/optparse-applicative',
          tag: 'optparse-applicative-fork-0.18.1.0',
          file: 'src/Options/Applicative/Extra.hs',
          line: 267,
        },
      },
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message: "option --{flag}: cannot parse value `{value}'",
        at: {
          repository: 'input-output-hk/optparse-applicative',
          tag: 'optparse-applicative-fork-0.18.1.0',
          file: 'src/Options/Applicative/Builder.hs',
          line: 131,
        },
      },
      positional:
        'subcommands: run (the node), version, trace-documentation (cardano-node.hs); with no arguments the full help is shown (showHelpOnEmpty) and the exit code is 1',
    },
    run: {
      flags: runFlags,
      unknownFlag: {
        exitCode: 1,
        stream: 'stderr',
        message: "Invalid option `{flag}'\\n\\nUsage: cardano-node run ... (then the usage of run)",
        at: {
          repository: 'input-output-hk/optparse-applicative',
          tag: 'optparse-applicative-fork-0.18.1.0',
          file: 'src/Options/Applicative/Extra.hs',
          line: 267,
        },
      },
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message:
          'option --{flag}: cannot parse value `{value}\' (auto readers: --port, --shutdown-ipc, --mempool-capacity-override, --num-of-disk-snapshots, --snapshot-interval); --host-addr: "option --host-addr: Failed to parse IPv4 address: {value}. If you want to specify an IPv6 address, use --host-ipv6-addr option."',
        at: L(PARSERS, /Failed to parse IPv4 address/),
      },
      positional: 'none (a bare word: "Invalid argument `{arg}\'", exit 1)',
    },
  },
  configFiles: [
    {
      command: 'run',
      locatedBy:
        "flag:config (default configuration/cardano/mainnet-config.json relative to the working directory); genesis file paths inside it are made relative to the config file's directory",
      format: 'yaml',
      at: L(POM, /decodeFileThrow fp/),
      keys,
      unknownKey:
        'ignored (aeson .:/.:? lookups on the object; the iohk-monitoring Representation is parsed with genericParseJSON defaultOptions, which also ignores extra fields)',
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message:
          'cardano-node: {path}: Error in $: {aeson message}  (Data.Yaml decodeFileThrow ParseException escaping runNode; a missing required key: "key \\"{key}\\" not found"; makeNodeConfiguration failures: "Error in creating the NodeConfiguration: Missing ..." via error)',
        at: L(POM, /decodeFileThrow fp/),
        note: "message shape from Data.Yaml/aeson/GHC top-level handler, not verified character by character; exit code 1 is GHC's for an uncaught exception",
      },
      legacyLoggingKeys: {
        note: 'With UseTraceDispatcher false and TurnOnLogging true, the same file is also read as an iohk-monitoring Representation (Cardano.Node.Configuration.Logging). Fields (iohk-monitoring 0.1.11.x, iohk-monitoring/src/Cardano/BM/Data/Configuration.lhs:94-109 at commit 9553558 of input-output-hk/iohk-monitoring-framework): minSeverity, rotation?, setupScribes, defaultScribes, setupBackends, defaultBackends, hasEKG?, hasGraylog?, hasPrometheus?, hasGUI?, traceForwardTo?, forwardDelay?, traceAcceptAt?, options (? = Maybe = optional; the others are non-Maybe, so genericParseJSON requires them). hasEKG = port or [host,port]; hasPrometheus = [host, port]. The exact iohk-monitoring patch version is resolved through CHaP (cardano-node.cabal: iohk-monitoring < 0.2) and was not pinned from the repository',
        at: L(
          'cardano-node/src/Cardano/Node/Configuration/Logging.hs',
          /Re-interpret node config again, as logging 'Configuration'/,
        ),
      },
    },
    {
      command: 'run',
      locatedBy: 'flag:topology (default configuration/cardano/mainnet-topology.json)',
      format: 'json',
      at: L(TOPO, /eitherDecode bs'/),
      keys: topoKeys,
      unknownKey: 'ignored (aeson object lookups)',
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message:
          'Is your topology file formatted correctly? Expecting P2P Topology file format. The port and valency fields should be numerical. If you specified the correct topology file make sure that you correctly setup EnableP2P configuration flag. {aeson error}',
        at: L(TOPO, /Is your topology file formatted correctly/),
        note: 'raised by readTopologyFileOrError; the exit path and code were not traced beyond that',
      },
    },
  ],
  metrics: [
    {
      path: '/metrics (any path under /metrics/ also matches: Snap route "/metrics/")',
      enabledBy:
        'LEGACY tracing (the default: UseTraceDispatcher absent/false): TurnOnLogging true, hasEKG set (loads the EKGView backend) and hasPrometheus [host, port]; chain metrics additionally need the ChainDB tracer on (TraceChainDb true); connectedPeers needs TraceBlockFetchDecisions true. Served by the node itself (iohk-monitoring lobemo-backend-ekg Prometheus adaptor)',
      at: {
        repository: 'input-output-hk/iohk-monitoring-framework',
        commit: '9553558',
        file: 'plugins/backend-ekg/src/Cardano/BM/Backend/Prometheus.lhs',
        line: 78,
      },
      names: legacy,
      tracing: 'legacy',
    },
    {
      path: 'not served by the node: cardano-tracer serves Prometheus at http://<cardano-tracer hasPrometheus>/<route from TraceOptionNodeName, non-alphanumerics removed>',
      enabledBy:
        'NEW tracing (UseTraceDispatcher true): TraceOptions backends include EKGBackend (default) and Forwarder; the node forwards its EKG store to cardano-tracer (--tracer-socket-path-connect/-accept). In 10.1.4 there is no PrometheusSimple backend in the node',
      at: L('cardano-tracer/src/Cardano/Tracer/Handlers/Metrics/Prometheus.hs', /case pathInfo request of/),
      names: [...newNames.values()],
      tracing: 'trace-dispatcher',
    },
  ],
  legacyMetricBaseNamesNotResolved: legacyOther,
  notes: [],
};
const N = (text, file, re) => {
  const a = L(file, re);
  out.notes.push(`${text} (${a.file}:${a.line})`);
};
N(
  'CRUCIAL: the tracing system is chosen by UseTraceDispatcher, default False: legacy iohk-monitoring tracing is the default in 10.1.4',
  POM,
  /"UseTraceDispatcher" \.!= False/,
);
N(
  'The shipped configuration/cardano/mainnet-config.json does not set UseTraceDispatcher (so legacy); it sets hasEKG 12788, hasPrometheus ["127.0.0.1", 12798], TurnOnLogging/TurnOnLogMetrics true, EnableP2P true, PeerSharing true, TraceBlockFetchDecisions false, TraceChainDb true',
  'configuration/cardano/mainnet-config.json',
  /"hasPrometheus"/,
);
N(
  'configuration/cardano/mainnet-config-new-tracing.json sets UseTraceDispatcher true and TraceOptions {} (an empty map, so defaultCardanoConfig options are used); it has no ConwayGenesisFile/ConwayGenesisHash, which POM requires (.:), so it would not start as shipped',
  'configuration/cardano/mainnet-config-new-tracing.json',
  /"UseTraceDispatcher": true/,
);
N(
  'Legacy metric names: EKG key = <logger>.<name>.<int|real|us|ns|s|B>; slotNum/blockNum are traced on logger "cardano.node.metrics" (mkTracers passes appendName "metrics" of the "cardano.node" trace) -> cardano_node_metrics_slotNum_int, cardano_node_metrics_blockNum_int',
  'cardano-node/src/Cardano/Tracing/Tracers.hs',
  /traceI tr meta "slotNum"/,
);
N(
  'Legacy chain metrics are only produced when an EKG server exists (traceChainMetrics Nothing = nullTracer), i.e. hasEKG must be set',
  'cardano-node/src/Cardano/Tracing/Tracers.hs',
  /traceChainMetrics Nothing _ _ _ _ = nullTracer/,
);
N(
  'Legacy connectedPeers is traced on appendName "peers" (appendName "metrics" tr) -> logger cardano.node.metrics.peers -> Prometheus cardano_node_metrics_peers_connectedPeers_int (NOT cardano_node_metrics_connectedPeers_int), and only when TraceBlockFetchDecisions is true (tracerOnOff\'); the shipped mainnet-config.json sets it false',
  'cardano-node/src/Cardano/Tracing/Tracers.hs',
  /let tr' = appendName "peers" tr/,
);
N(
  'Legacy Prometheus adaptor name mangling: "." "-" " " -> "_", then only [A-Za-z_] kept, digits dropped; output is "name value" lines without # TYPE/# HELP (iohk-monitoring-framework 9553558 plugins/backend-ekg/src/Cardano/BM/Backend/Prometheus.lhs:122)',
  'cardano-node/src/Cardano/Node/Configuration/Logging.hs',
  /Cardano\.BM\.Backend\.EKGView\.plugin/,
);
N(
  'New tracing metric names: IntM n -> [TraceOptionMetricsPrefix]n_int, DoubleM -> _real, CounterM -> _counter, PrometheusM -> n (EKG labels); TraceOptionMetricsPrefix defaults to none (emptyTraceConfig tcMetricsPrefix = Nothing, trace-dispatcher/src/Cardano/Logging/Types.hs:492), so without it the names are slotNum_int, blockNum_int, connectedPeers_int; with "cardano.node.metrics." they become cardano_node_metrics_slotNum_int etc. after cardano-tracer replaces "." by "_" (digits kept)',
  'trace-dispatcher/src/Cardano/Logging/Tracer/EKG.hs',
  /prefix <> name <> "_int"/,
);
N(
  'New tracing: connectedPeers is IntM on the BlockFetch.Decision trace (count of peers in the fetch decision list); slotNum/blockNum are IntM on ChainDB AddedToCurrentChain / SwitchedToAFork',
  'cardano-node/src/Cardano/Node/Tracing/Tracers/Consensus.hs',
  /IntM "connectedPeers"/,
);
N(
  'New tracing: the node builds a local EKG store (Left ekgStore) and does not serve HTTP itself; metrics reach Prometheus only through cardano-tracer',
  'cardano-node/src/Cardano/Node/Tracing/API.hs',
  /ekgTracer trConfig \(Left ekgStore\)/,
);
N(
  'Configuration layering: defaultPartialNodeConfiguration <> config file <> command line (Last wins: CLI over file over defaults)',
  'cardano-node/src/Cardano/Node/Run.hs',
  /defaultPartialNodeConfiguration <> configYamlPc <> cmdPc/,
);
N(
  'Run options use lastOption = fmap Last . optional: each may be given once; optparse-applicative reports a second occurrence as an unexpected (invalid) option - not verified by running',
  POM,
  /lastOption = fmap Last \. optional/,
);
N(
  'Option parser: optparse-applicative-fork >= 0.18.1 (input-output-hk fork; read at tag optparse-applicative-fork-0.18.1.0); parse failures go to stderr with the usage and exit with infoFailureCode = 1 (Extra.hs:130-136, Builder.hs:470)',
  'cardano-node/cardano-node.cabal',
  /optparse-applicative-fork >= 0\.18\.1/,
);
N(
  '--mempool-capacity-override, --num-of-disk-snapshots, --snapshot-interval are deprecated: accepted, with a WARNING on stderr',
  APP,
  /warnIfSet args pncMaybeMempoolCapacityOverride/,
);
N(
  'Topology: bootstrapPeers null and absent both give DontUseBootstrapPeers (aeson .:? treats null as absent); useLedgerAfterSlot absent = DontUseLedgerPeers; the JSON decoding of useLedgerAfterSlot values (-1 / 0), of accessPoints items {address, port} and of bootstrapPeers lists lives in ouroboros-network (UseLedgerPeers, RelayAccessPoint, UseBootstrapPeers FromJSON) and was NOT read here. A topology with no trustable peer source is refused ("You seem to have not configured any trustable peers...")',
  TOPO,
  /isValidTrustedPeerConfiguration t -> Right t/,
);
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
