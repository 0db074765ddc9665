import {
  TAG,
  commit,
  goFiles,
  lineAt,
  makeResolver,
  matchBrace,
  pflagFlags,
  print,
  promMetrics,
  show,
  viperKeys,
} from './go-common.mjs';
// ---- dirk specific ----
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
// stores: viper.Unmarshal into core.Stores (mapstructure tags)
const st = show('core/stores.go');
const structs = {};
for (const m of st.matchAll(/type (\w+) struct \{/g)) {
  const open = m.index + m[0].length - 1,
    close = matchBrace(st, open);
  structs[m[1]] = [...st.slice(open, close).matchAll(/(\w+)\s+(\*?\[?\]?\*?\w+)\s+`mapstructure:"([^"]+)"`/g)].map(
    (f) => ({
      go: f[1],
      type: f[2].replace(/[*\[\]]/g, ''),
      key: f[3],
      slice: f[2].includes('[]'),
      line: lineAt(st, open + f.index),
    }),
  );
}
const walk = (sname, prefix) => {
  for (const f of structs[sname] || []) {
    const p = prefix ? `${prefix}.${f.key}` : f.key;
    if (structs[f.type]) {
      if (f.slice)
        keys.push({ path: p, type: 'list', at: { file: 'core/stores.go', line: f.line }, note: 'list of objects' });
      walk(f.type, f.slice ? `${p}[]` : p);
    } else
      keys.push({
        path: p,
        type: f.type === 'string' ? 'string' : f.type,
        at: { file: 'core/stores.go', line: f.line },
        note:
          'decoded with viper.Unmarshal(&core.Stores) (main.go:' +
          L(main, 'viper.Unmarshal(&storesCfg)') +
          '); mapstructure ErrorUnused=false, so unknown sub-keys are ignored',
      });
  }
};
walk('Stores', '');
keys.push({
  path: 'peers.<id>',
  type: 'string',
  at: { file: 'main.go', line: L(main, 'viper.GetStringMapString("peers")') },
  note: 'map: key = numeric server id (strconv.ParseUint; an unparsable id is logged "Invalid peer ID" and skipped at main.go:382-386 but fails startPeers with "failed to parse peers info" at main.go:634-636), value = host:port',
});
keys.push({
  path: 'permissions.<client>.<path>',
  type: 'list',
  at: { file: 'main.go', line: L(main, 'viper.GetStringMapStringSlice(fmt.Sprintf("permissions.%s", client))') },
  note: 'client = certificate CN of the caller; path = "wallet" or "wallet/account" (regexes); value = operation or list of operations, "All"/"None"/"~op" (services/checker/static/service.go:96-108)',
});
const flagNames = new Set(flags.map((f) => f.name));
for (const k of keys)
  if (flagNames.has(k.path))
    k.note =
      (k.note ? k.note + '; ' : '') +
      'also a command-line flag (viper.BindPFlags): flag > env DIRK_* > config file > default';
keys.sort((a, b) => a.path.localeCompare(b.path));
const metrics = promMetrics(files, makeResolver());
const seen = new Set();
const names = metrics.filter((m) => (seen.has(m.name) ? false : seen.add(m.name)));
names.sort((a, b) => a.name.localeCompare(b.name));
const parseLine = L(main, 'pflag.Parse()');
const helpers = show('services/signer/standard/helpers.go');
const unl = show('services/unlocker/local/service.go');
print({
  client: 'dirk',
  version,
  source: { repository: 'attestantio/dirk', tag: TAG, commit: commit(), licence: 'Apache-2.0' },
  derivation:
    'derive-dirk.mjs (this directory) + dirk.md; pflag/viper/majordomo behaviour read by hand at the versions in go.mod',
  commands: {
    '': {
      flags,
      unknownFlag: {
        exitCode: 2,
        stream: 'stderr',
        message: 'unknown flag: --{flag}',
        at: { file: 'main.go', line: parseLine },
        note: 'pflag v1.0.5 global CommandLine (ExitOnError): error + "Usage of <argv0>:" + defaults on stderr (flag.go:909-916, 773-776), the error again on STDOUT, os.Exit(2) (flag.go:1143-1148)',
      },
      badValue: {
        exitCode: 2,
        stream: 'stderr',
        message: 'invalid argument "{value}" for "--{flag}" flag: {parse error}',
        at: { file: 'main.go', line: parseLine },
        note: 'pflag v1.0.5 flag.go:471 via failf (flag.go:1000-1003); only the bool flags can fail',
      },
      positional: 'none used: positional arguments are left in pflag.Args() and ignored',
    },
  },
  configFiles: [
    {
      command: '',
      locatedBy:
        '<base-dir>/dirk.{json,toml,yaml,yml,properties,props,prop,hcl,tfvars,dotenv,env,ini} (first found; viper v1.16.0 SupportedExts viper.go:420); without --base-dir: $HOME/.dirk.<ext>. There is NO flag naming the file.',
      format: 'yaml',
      at: { file: 'main.go', line: L(main, 'viper.SetConfigName("dirk")') },
      keys,
      dynamicKeys: dynamic,
      unknownKey: 'ignored',
      badValue: {
        exitCode: 1,
        stream: 'stderr',
        message:
          '{"level":"fatal","error":"could not parse the configuration file: While parsing config: {yaml error}","message":"Failed to fetch configuration"}',
        at: { file: 'main.go', line: L(main, 'zerologger.Fatal().Err(err).Msg("Failed to fetch configuration")') },
        note: 'zerolog Fatal writes a JSON line to stderr and calls os.Exit(1); only invalid YAML fails at load, wrong-typed values are converted by spf13/cast on read',
      },
    },
  ],
  metrics: [
    {
      path: '/metrics',
      enabledBy:
        'config key metrics.listen-address (host:port); without it the null metrics service is used and nothing is served (main.go:' +
        L(main, 'viper.GetString("metrics.listen-address") == ""') +
        ')',
      at: {
        file: 'services/metrics/prometheus/service.go',
        line: L(show('services/metrics/prometheus/service.go'), 'http.Handle("/metrics"'),
      },
      names,
      note: 'promhttp.Handler() on http.DefaultServeMux: go_*, process_*, promhttp_* also exposed, and /debug/pprof/* because main.go imports net/http/pprof. Names are Namespace_Subsystem_Name with the literal namespace "dirk".',
    },
  ],
  notes: [
    `NO --config flag in dirk ${version}: the flags are main.go:157-168 only; --config is refused by pflag.Parse() (main.go:${parseLine}) with "unknown flag: --config", exit 2.`,
    `Config file: viper.AddConfigPath(base-dir) + SetConfigName("dirk") (main.go:${L(main, 'viper.AddConfigPath(viper.GetString("base-dir"))')}-${L(main, 'viper.SetConfigName("dirk")')}) -> <base-dir>/dirk.yml (after dirk.json/.toml/.yaml). /etc/dirk/dirk.yml is never read with --base-dir=/var/lib/dirk. Missing file and no server.name from env: fatal "could not find the configuration file: Config File \\"dirk\\" Not Found in \\"[<base-dir>]\\"" (main.go:${L(main, 'return errors.Wrap(err, "could not find the configuration file")')}), exit 1.`,
    `UNLOCKING: unlocker.account-passphrases and unlocker.wallet-passphrases are lists of majordomo URLs/values; each entry is fetched at start (main.go:${L(main, 'viper.GetStringSlice("unlocker.wallet-passphrases")')}-${L(main, 'return nil, errors.Wrap(err, "failed to obtain account passphrase for unlocker")')}); a fetch failure stops dirk ("failed to obtain account passphrase for unlocker"). The fetched bytes are used as-is (no newline trimming: majordomo file confidant confidants/file/service.go:62-70), so a passphrase file must not end with a newline unless the passphrase does. A plain string without "://" is itself the passphrase (majordomo standard/service.go:81-83).`,
    `Accounts are NOT unlocked at start: on each signing request the signer checks IsUnlocked and, if locked, tries every account passphrase in turn (services/unlocker/local/service.go:${L(unl, 'for _, passphrase := range s.accountPassphrases')}-${L(unl, 'return false, nil') > 0 ? L(unl, 'monitorUnlockAccount(false, time.Since(started))') : 0}). With no (or no matching) passphrase the request is DENIED: log at DEBUG level "Account is locked; signing request denied" with result=denied (services/signer/standard/helpers.go:${L(helpers, 'Account is locked; signing request denied')}), and the gRPC reply has state DENIED (services/api/grpc/handlers/signer/sign.go:56-57). At the default info log level nothing is logged for it. Listing accounts (lister) does not need unlocking, so vouch sees the accounts but gets no signatures.`,
    'unlocker.wallet-passphrases are only used to unlock hierarchical-deterministic wallets for account generation (services/process/standard/generate.go:109; services/unlocker/local/service.go:64-89); signing uses account passphrases only.',
    `server.id is read as a string and parsed with strconv.ParseUint (main.go:${L(main, 'strconv.ParseUint(viper.GetString("server.id"), 10, 64)')}); server.name is required ("No server name set; cannot start", main.go:95-96).`,
    `Certificates: certificates.server-cert/server-key are majordomo URLs fetched at start (main.go:${L(main, 'majordomo.Fetch(ctx, viper.GetString("certificates.server-cert"))')}-${L(main, 'majordomo.Fetch(ctx, viper.GetString("certificates.server-key"))')}); ca-cert only if set. file:///abs/path reads that path.`,
    `storage-path defaults to "storage" and is resolved against base-dir when relative (main.go:${L(main, 'viper.SetDefault("storage-path", "storage")')}, main.go:${L(main, 'util.ResolvePath(viper.GetString("storage-path"))')}).`,
    'stores[].type must be filesystem, s3 or scratch, else "store N has unhandled type" (core/stores.go:76-85); no stores -> default filesystem store with a warning (core/stores.go:61-63).',
    'Unknown config keys: read only by name (viper.GetX) or decoded with viper.Unmarshal (mapstructure, ErrorUnused false: viper v1.16.0 viper.go:1112-1121), so unknown keys are silently ignored. viper lowercases all keys (permission client names and wallet paths included).',
  ],
});
