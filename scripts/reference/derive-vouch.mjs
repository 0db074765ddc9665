import {
  TAG,
  commit,
  goFiles,
  lineAt,
  makeResolver,
  pflagFlags,
  print,
  promMetrics,
  show,
  viperKeys,
} from './go-common.mjs';
// ---- vouch specific ----
const main = show('main.go');
const L = (t, s) => {
  const i = t.indexOf(s);
  if (i < 0) throw new Error('not found: ' + s);
  return lineAt(t, i);
};
const version = (/ReleaseVersion = "([^"]+)"/.exec(main) || [])[1];
const files = goFiles();
const flags = pflagFlags('main.go');
const { list: keys, dynamic } = viperKeys(files);
const flagNames = new Set(flags.map((f) => f.name));
for (const k of keys)
  if (flagNames.has(k.path))
    k.note =
      (k.note ? k.note + '; ' : '') +
      'also a command-line flag (viper.BindPFlags): flag > env VOUCH_* > config file > default';
const metrics = promMetrics(files, makeResolver());
const seen = new Set();
const names = metrics.filter((m) => (seen.has(m.name) ? false : seen.add(m.name)));
names.sort((a, b) => a.name.localeCompare(b.name));
const parseLine = L(main, 'pflag.Parse()');
print({
  client: 'vouch',
  version,
  source: { repository: 'attestantio/vouch', tag: TAG, commit: commit(), licence: 'Apache-2.0' },
  derivation:
    'derive-vouch.mjs (this directory) + vouch.md; pflag/viper/majordomo behaviour read by hand at the versions in go.mod',
  commands: {
    '': {
      flags,
      unknownFlag: {
        exitCode: 2,
        stream: 'stderr',
        message: 'unknown flag: --{flag}',
        at: { file: 'main.go', line: parseLine },
        note: 'pflag v1.0.5 global CommandLine (ExitOnError): failf prints the error and "Usage of <argv0>:" + flag defaults to stderr (flag.go:909-916, 773-776), then Parse prints the error again to STDOUT with fmt.Println and calls os.Exit(2) (flag.go:1143-1148). Short form: unknown shorthand flag: \'x\' in -x (flag.go:1035).',
      },
      badValue: {
        exitCode: 2,
        stream: 'stderr',
        message: 'invalid argument "{value}" for "--{flag}" flag: {parse error}',
        at: { file: 'main.go', line: parseLine },
        note: 'pflag v1.0.5 flag.go:471 (Set), reported through failf (flag.go:1000-1003) then printed to stdout and os.Exit(2) as for an unknown flag. Only bool flags can fail here (strconv.ParseBool); string flags take anything. A flag needing a value without one: "flag needs an argument: --{flag}".',
      },
      positional:
        'none used: pflag.Parse() leaves positional arguments in pflag.Args(), which vouch never reads (ignored)',
    },
  },
  configFiles: [
    {
      command: '',
      locatedBy:
        '<base-dir>/vouch.{json,toml,yaml,yml,properties,props,prop,hcl,tfvars,dotenv,env,ini} (first that exists, in that order); without --base-dir: $HOME/.vouch.<ext>. There is NO flag naming the file.',
      format: 'yaml',
      at: { file: 'main.go', line: L(main, 'viper.SetConfigName("vouch")') },
      keys,
      dynamicKeys: dynamic,
      unknownKey: 'ignored',
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message:
          'failed to fetch configuration: could not parse the configuration file: While parsing config: {yaml error}',
        at: { file: 'main.go', line: L(main, 'could not parse the configuration file') },
        note: 'only a file that is not valid YAML fails at load; a value of the wrong type is converted by spf13/cast when read (viper.GetX) and silently becomes the zero value if it cannot be converted',
      },
    },
  ],
  metrics: [
    {
      path: '/metrics',
      enabledBy: 'config key metrics.prometheus.listen-address (host:port); nothing is served without it',
      at: {
        file: 'services/metrics/prometheus/service.go',
        line: L(show('services/metrics/prometheus/service.go'), 'http.Handle("/metrics"'),
      },
      names,
      note: 'promhttp.Handler() on http.DefaultServeMux, so the Go/process collectors (go_*, process_*, promhttp_*) are also exposed, and /debug/pprof/* too because main.go imports net/http/pprof. Names are Namespace_Subsystem_Name; the namespace is the literal "vouch" everywhere.',
    },
  ],
  notes: [
    `NO --config flag exists in vouch ${version}: the only flags are those at main.go:198-205; pflag.Parse() (main.go:${parseLine}) on the ExitOnError CommandLine refuses --config with "unknown flag: --config" and exit code 2 before any configuration is read.`,
    `Config file: with --base-dir set, viper.AddConfigPath(resolvePath("")) + SetConfigName("vouch") (main.go:${L(main, 'viper.AddConfigPath(resolvePath(""))')}-${L(main, 'viper.SetConfigName("vouch")')}); viper (v1.19.0 file.go:27-44, viper.go:422 SupportedExts) looks for <base-dir>/vouch.json, .toml, .yaml, .yml, ... in that order. /etc/vouch/vouch.yml is never read when --base-dir=/var/lib/vouch.`,
    `Missing config file: ReadInConfig gives ConfigFileNotFoundError; unless beacon-node-address(es) come from elsewhere (env VOUCH_BEACON_NODE_ADDRESS(ES) or the --beacon-node-address flag) vouch prints "failed to fetch configuration: could not find the configuration file: Config File \"vouch\" Not Found in \"[<base-dir>]\"" to stderr and exits 1 (main.go:${L(main, 'could not find the configuration file')}, main.go:129-130, main.go:116-119).`,
    `Environment: VOUCH_ prefix, "-" and "." replaced by "_" (main.go:${L(main, 'viper.SetEnvPrefix("VOUCH")')}-${L(main, 'viper.AutomaticEnv()')}). Precedence (viper): flag > env > config file > default.`,
    'Unknown config keys: vouch only reads keys by name (viper.GetX); viper keeps unknown keys in its map and nothing ever reads or validates them, so they are silently ignored. Keys are case-insensitive (viper lowercases).',
    'Hierarchical keys: util.Timeout/LogLevel/ProcessConcurrency/BeaconNodeAddresses("a.b") read a.b.<leaf>, then a.<leaf>, then the top-level <leaf> (util/timeout.go:25-40, util/logging.go:26-41, util/concurrency.go:24-39, util/beaconnodeaddresses.go:24-42). So accountmanager.dirk.timeout falls back to the top-level timeout (default 2s, main.go:233); its own default is 30s (main.go:248).',
    'beacon-node-addresses (list) wins over beacon-node-address when set (util/beaconnodeaddresses.go:26-29); main.go:298-301 uses the multi client when the list is non-empty.',
    `Dirk account manager: enabled when accountmanager.dirk.accounts is non-empty (main.go:1051); client-cert and client-key are fetched with majordomo (main.go:1053,1057), ca-cert only if set (main.go:1062-1063). An account path without "/" (e.g. "mainnet-pool") means every account of that wallet (services/accountmanager/dirk/service.go:426-428). Setting both dirk and wallet accounts is refused: "multiple account managers configured; Vouch only supports a single account manager" (main.go:1047).`,
    'majordomo (github.com/wealdtech/go-majordomo v1.1.1, registered at main.go:838-910: direct, file, and asm/gsm only when configured): a value without "://" is used verbatim as the secret itself (standard/service.go:81-83); file:///abs/path reads url.Path verbatim with no trimming (confidants/file/service.go:62-70), so file:///etc/stake/ethereum/certs/client.crt reads /etc/stake/ethereum/certs/client.crt; a missing file gives "key not known" (errors.go:19); an unregistered scheme gives "no confidants registered to handle that scheme" (errors.go:25). "file://relative/x" would take "relative" as the URL host and read /x.',
    'blockrelay.fallback-fee-recipient: hex with optional 0x, decoded with hex.DecodeString (main.go:1656).',
    `Durations (timeout: 1m) are parsed by spf13/cast (time.ParseDuration for strings); --version prints "${version}" and exits 0 (main.go:1578-1579).`,
    'Metrics are registered only when metrics.prometheus.listen-address is set (main.go:921); the label "identity" used by stake alert rules is not a vouch label (vouch_attestation_process_requests_total has only "result" = succeeded|failed: services/attester/standard/attest.go:49,106); it must come from the Prometheus target labels.',
  ],
});
