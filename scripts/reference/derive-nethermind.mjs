#!/usr/bin/env node
// Derive the Nethermind reference table from the real source at a tag.
// Usage: node derive-nethermind.mjs <nethermind git dir> <tag>   (prints JSON on stdout)
// Plain Node.js ESM, no dependencies. Reads the repo only with `git show` / `git ls-tree`.
//
// What is regular (and scripted here):
//   * Runner top-level options: `app.Option("-x|--name <v>", ...)`, `app.HelpOption(..)`, `app.VersionOption(..)`
//     in src/Nethermind/Nethermind.Runner/Program.cs
//   * `--Section.Key` options: every interface that (transitively) extends IConfig, minus INoCategoryConfig,
//     minus [ConfigCategory(DisabledForCli = true)], minus [ConfigItem(DisabledForCli = true)] properties
//     (Program.cs BuildOptionsFromConfigFiles). Section = interface name without leading "I" and trailing "Config"
//     (Nethermind.Config/ConfigExtensions.cs GetCategoryName).
//   * Metric names: every `class Metrics` (TypeDiscovery.FindNethermindBasedTypes("Metrics")), public static
//     properties + public fields; name = [DataMember(Name=..)] or "nethermind_" + Regex("(\p{Ll})(\p{Lu})" -> "$1_$2")
//     lower-cased (Nethermind.Monitoring/Metrics/MetricsController.cs BuildGaugeName).
// What is NOT scripted (hand-checked, written into the fixed parts below): error handling, metrics path.
import { execFileSync } from 'node:child_process';

const [repo, tag] = process.argv.slice(2);
if (!repo || !tag) {
  console.error('usage: derive-nethermind.mjs <git dir> <tag>');
  process.exit(2);
}
const git = (...a) => execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
const show = (p) => git('show', `${tag}:${p}`);
const commit = git('rev-parse', `${tag}^{commit}`).trim();
const files = git('ls-tree', '-r', '--name-only', tag, '--', 'src/Nethermind')
  .split('\n')
  .filter((f) => f.endsWith('.cs'))
  // test / benchmark projects are not shipped
  .filter(
    (f) =>
      !/\.Test(s)?\/|\.Benchmark|Benchmarks?\/|TestsBase|\.Test\.|Nethermind\.Test\.Runner|Nethermind\.Tools\.|\/Tools\//.test(
        f,
      ),
  );

const lineAt = (text, idx) => text.slice(0, idx).split('\n').length;

// ---------------------------------------------------------------- C# scanner
// Splits the body of a type declaration (text between its braces) into members at depth 1:
// [{ attrs: [text...], header: text, headerIdx, kind: 'block'|'semi'|'arrow' }]
function scanBody(src, openIdx) {
  const out = [];
  let i = openIdx + 1;
  let depth = 1;
  let attrs = [];
  let buf = '';
  let bufStart = -1;
  let bracket = 0;
  let attrBuf = '';
  const n = src.length;
  function skipString(j) {
    // returns index just after the string literal starting at j (src[j] is the opening quote or @/$ prefix)
    let k = j;
    let verbatim = false;
    while (src[k] === '@' || src[k] === '$') {
      if (src[k] === '@') verbatim = true;
      k++;
    }
    if (src.startsWith('"""', k)) {
      let q = 0;
      while (src[k + q] === '"') q++;
      const close = '"'.repeat(q);
      const e = src.indexOf(close, k + q);
      return e < 0 ? n : e + q;
    }
    if (src[k] === "'") {
      k++;
      while (k < n && src[k] !== "'") {
        if (src[k] === '\\') k++;
        k++;
      }
      return k + 1;
    }
    k++; // opening "
    while (k < n) {
      if (verbatim) {
        if (src[k] === '"') {
          if (src[k + 1] === '"') {
            k += 2;
            continue;
          }
          return k + 1;
        }
      } else {
        if (src[k] === '\\') {
          k += 2;
          continue;
        }
        if (src[k] === '"') return k + 1;
      }
      k++;
    }
    return n;
  }
  while (i < n && depth > 0) {
    const c = src[i];
    // comments
    if (c === '/' && src[i + 1] === '/') {
      const e = src.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const e = src.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    // strings
    if (c === '"' || c === "'" || ((c === '@' || c === '$') && /["$@]/.test(src[i + 1] || ''))) {
      const e = skipString(i);
      const s = src.slice(i, e);
      if (depth === 1) {
        if (bracket > 0) attrBuf += s;
        else {
          if (bufStart < 0) bufStart = i;
          buf += s;
        }
      }
      i = e;
      continue;
    }
    if (depth === 1) {
      if (bracket > 0 || (c === '[' && buf.trim() === '')) {
        if (c === '[') bracket++;
        if (c === ']') bracket--;
        attrBuf += c;
        if (bracket === 0) {
          attrs.push(attrBuf);
          attrBuf = '';
        }
        i++;
        continue;
      }
      if (c === '{') {
        out.push({ attrs, header: buf, headerIdx: bufStart, kind: 'block' });
        attrs = [];
        buf = '';
        bufStart = -1;
        depth++;
        i++;
        continue;
      }
      if (c === '}') {
        depth--;
        i++;
        continue;
      }
      if (c === ';') {
        const a = buf.indexOf('=>');
        out.push({
          attrs,
          header: a >= 0 ? buf.slice(0, a) : buf,
          headerIdx: bufStart,
          kind: a >= 0 ? 'arrow' : 'semi',
        });
        attrs = [];
        buf = '';
        bufStart = -1;
        i++;
        continue;
      }
      if (bufStart < 0 && !/\s/.test(c)) bufStart = i;
      if (bufStart >= 0) buf += c;
      i++;
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') depth--;
    i++;
  }
  return out;
}

// property header "public static long Foo" / "string Bar" / "int? Baz" -> {type, name}
function parseProp(header, { requireStatic }) {
  const h = header.replace(/\s+/g, ' ').trim();
  if (h.includes('(')) return null; // method / ctor
  const m =
    /^((?:(?:public|internal|private|protected|static|new|readonly|volatile|virtual|abstract|override|sealed|const|required)\s+)*)(.+?)\s+(@?\w+)(?:\s*=.*)?$/.exec(
      h,
    );
  if (!m) return null;
  const mods = m[1].trim().split(/\s+/).filter(Boolean);
  if (
    /\b(class|struct|enum|interface|record|delegate|event|operator)\b/.test(m[2]) ||
    /\b(class|struct|enum|interface|record|delegate|event)\b/.test(mods.join(' '))
  )
    return null;
  return { mods, type: m[2].trim(), name: m[3] };
}

const attrText = (attrs, name) =>
  attrs.find((a) => new RegExp(`^\\[\\s*(?:[\\w.]+\\.)?${name}(Attribute)?\\b`).test(a.replace(/\s+/g, ' ')));
const attrBool = (a, key) => !!a && new RegExp(`\\b${key}\\s*=\\s*true\\b`).test(a);
function attrString(a, key) {
  if (!a) return undefined;
  const m = new RegExp(`\\b${key}\\s*=\\s*(@?"(?:[^"\\\\]|\\\\.)*"|"""[\\s\\S]*?""")`).exec(a);
  if (!m) return undefined;
  let s = m[1];
  if (s.startsWith('"""')) return s.slice(3, -3).trim();
  if (s.startsWith('@')) return s.slice(2, -1).replace(/""/g, '"');
  return JSON.parse(s);
}

// ---------------------------------------------------------------- collect declarations
const sources = new Map();
const src = (f) => {
  if (!sources.has(f)) sources.set(f, show(f));
  return sources.get(f);
};
const ifaceRe =
  /(^|\n)([ \t]*(?:\[[^\n]*\]\s*)*)[ \t]*(?:public\s+|internal\s+)?(?:partial\s+)?interface\s+(I\w+)\s*(?::\s*([^{]+?))?\s*(?:where[^{]*)?\{/g;
const interfaces = new Map(); // name -> {file, idx, bases, text}
const enums = new Map(); // name -> {file, line, values}
const metricsFiles = [];
for (const f of files) {
  let t;
  try {
    t = src(f);
  } catch {
    continue;
  }
  if (/interface\s+I\w+/.test(t)) {
    for (const m of t.matchAll(ifaceRe)) {
      const bases = (m[4] || '')
        .split(',')
        .map((s) => s.trim().replace(/<.*$/, '').split('.').pop())
        .filter(Boolean);
      const braceIdx = m.index + m[0].length - 1;
      const declIdx = t.indexOf('interface', m.index + m[1].length);
      interfaces.set(m[3], { file: f, braceIdx, declIdx, bases, text: t });
    }
  }
  for (const m of t.matchAll(/\benum\s+(\w+)\s*(?::\s*\w+\s*)?\{([^}]*)\}/g)) {
    const body = m[2].replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '').replace(/\[[^\]]*\]/g, '');
    const values = body
      .split(',')
      .map((s) => s.trim().split(/\s*=/)[0].trim())
      .filter((s) => /^\w+$/.test(s));
    if (!enums.has(m[1])) enums.set(m[1], { file: f, line: lineAt(t, m.index), values });
  }
  if (/\bclass\s+Metrics\b/.test(t)) metricsFiles.push(f);
}

function extendsIConfig(name, seen = new Set()) {
  if (name === 'IConfig') return true;
  const d = interfaces.get(name);
  if (!d || seen.has(name)) return false;
  seen.add(name);
  return d.bases.some((b) => extendsIConfig(b, seen));
}
function extendsNoCategory(name, seen = new Set()) {
  if (name === 'INoCategoryConfig') return true;
  const d = interfaces.get(name);
  if (!d || seen.has(name)) return false;
  seen.add(name);
  return d.bases.some((b) => extendsNoCategory(b, seen));
}

function kindOf(type) {
  let t = type.replace(/\?$/, '').trim();
  const nullable = type.trim().endsWith('?');
  if (/\[\]$/.test(t) || /^(IEnumerable|IList|List|IReadOnlyList|ICollection)</.test(t)) {
    return { kind: 'list', nullable, item: t.replace(/\[\]$/, '').replace(/^\w+<(.*)>$/, '$1') };
  }
  if (t === 'bool') return { kind: 'bool', values: ['true', 'false'], nullable };
  if (/^(int|long|short|sbyte|Int32|Int64)$/.test(t)) return { kind: 'int', nullable };
  if (/^(uint|ulong|ushort|byte|UInt32|UInt64|UInt256)$/.test(t)) return { kind: 'uint', nullable };
  if (/^(double|float|decimal)$/.test(t)) return { kind: 'float', nullable };
  if (t === 'string') return { kind: 'string', nullable };
  if (enums.has(t)) return { kind: 'enum', values: enums.get(t).values, nullable, enumAt: enums.get(t) };
  return { kind: 'string', nullable, other: t };
}

// ---------------------------------------------------------------- Runner options
const programPath = 'src/Nethermind/Nethermind.Runner/Program.cs';
const program = src(programPath);
const runnerFlags = [];
for (const m of program.matchAll(
  /app\.(Option|HelpOption|VersionOption)\(\s*(\$?)"([^"]+)"(?:\s*,\s*(?:"([^"]*)"|[^,]*))?(?:\s*,\s*CommandOptionType\.(\w+))?/g,
)) {
  if (m[2] === '$') continue; // the interpolated --Section.Key template
  const spec = m[3];
  const names = spec.split(' ')[0].split('|');
  const long = names.find((x) => x.startsWith('--'));
  const shorts = names.filter((x) => !x.startsWith('--')).map((x) => x.replace(/^-/, ''));
  const optType = m[1] === 'Option' ? m[5] : 'NoValue';
  const entry = {
    name: long.slice(2),
    kind: optType === 'NoValue' ? 'bool' : /dir|path|file|config/i.test(long) ? 'path' : 'string',
    repeatable: false,
    aliases: shorts,
    at: { file: programPath, line: lineAt(program, m.index) },
  };
  if (optType === 'NoValue')
    entry.note =
      'no value (McMaster CommandOptionType.NoValue); passing a value is refused (ForbiddenOptionValue, exit 107)';
  else entry.note = `McMaster CommandOptionType.${optType}; ${m[4] ? JSON.stringify(m[4]) : ''}`.trim();
  if (long === '--log') {
    entry.kind = 'enum';
    entry.values = ['OFF', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
    entry.note += ' (values from the help text; case handling in NLogConfigurator not checked)';
  }
  runnerFlags.push(entry);
}

// ---------------------------------------------------------------- --Section.Key options
const configFlags = [];
const sections = [];
for (const [name, d] of [...interfaces.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
  if (name === 'IConfig' || !extendsIConfig(name) || extendsNoCategory(name)) continue;
  const t = d.text;
  // type-level attributes: the text between the previous declaration end and `interface`
  const before = t.slice(Math.max(0, t.lastIndexOf('\n\n', d.declIdx)), d.declIdx);
  const catAttr = /\[\s*ConfigCategory\(([^\]]*)\)\s*\]/.exec(before);
  const disabledForCli = catAttr ? /DisabledForCli\s*=\s*true/.test(catAttr[1]) : false;
  const hiddenCat = catAttr ? /HiddenFromDocs\s*=\s*true/.test(catAttr[1]) : false;
  const section = name.replace(/^I/, '').replace(/Config$/, '');
  const members = scanBody(t, d.braceIdx);
  const keys = [];
  for (const mem of members) {
    const p = parseProp(mem.header, {});
    if (!p || mem.kind === 'semi') continue; // `semi` = method/field; interface properties use { get; } or =>
    if (
      p.mods.includes('static') ||
      p.mods.includes('private') ||
      p.mods.includes('protected') ||
      p.mods.includes('internal')
    )
      continue;
    const ci = attrText(mem.attrs, 'ConfigItem');
    const k = kindOf(p.type);
    const entry = {
      name: `${section}.${p.name}`,
      kind: k.kind,
      type: p.type,
      repeatable: false,
    };
    if (k.values) entry.values = k.values;
    const def = attrString(ci, 'DefaultValue');
    if (def !== undefined) entry.default = def;
    if (attrBool(ci, 'HiddenFromDocs') || hiddenCat) entry.hiddenFromDocs = true;
    if (attrBool(ci, 'IsPortOption')) entry.portOption = true;
    const notes = [];
    if (k.kind === 'list')
      notes.push(
        `list of ${k.item}: comma separated, optional surrounding [ ], items may be "quoted" (ConfigSourceHelper.ParseValue); IConfigModel items are a JSON array`,
      );
    if (k.kind === 'enum')
      notes.push(
        `enum ${p.type} (${k.enumAt.file}:${k.enumAt.line}); parsed with Enum.TryParse(ignoreCase: true), so numeric values and comma-joined [Flags] also parse`,
      );
    if (k.other) notes.push(`C# type ${k.other}: Convert.ChangeType, falling back to System.Text.Json deserialisation`);
    if (k.nullable) notes.push('nullable: "" or "null" give null');
    if (!ci) notes.push('no [ConfigItem] attribute');
    if (notes.length) entry.note = notes.join('; ');
    const nameIdx = mem.headerIdx + mem.header.lastIndexOf(p.name);
    entry.at = { file: d.file, line: lineAt(t, nameIdx) };
    if (attrBool(ci, 'DisabledForCli') || disabledForCli) {
      entry.disabledForCli = true;
    }
    keys.push(entry);
  }
  sections.push({
    section,
    interface: name,
    file: d.file,
    line: lineAt(t, d.declIdx),
    disabledForCli,
    hiddenFromDocs: hiddenCat,
    keys: keys.length,
  });
  for (const e of keys) if (!e.disabledForCli) configFlags.push(e);
  for (const e of keys) if (e.disabledForCli) e.__disabled = true;
  sections[sections.length - 1].__all = keys;
}

// ---------------------------------------------------------------- metrics
const gaugeName = (prop) => `nethermind_${prop.replace(/(\p{Ll})(\p{Lu})/gu, '$1_$2').toLowerCase()}`;
const metricNames = [];
for (const f of metricsFiles.sort()) {
  const t = src(f);
  const ns = (/namespace\s+([\w.]+)/.exec(t) || [])[1];
  for (const cm of t.matchAll(/\b(public\s+)?(static\s+)?(partial\s+)?class\s+Metrics\b[^{]*\{/g)) {
    if (!cm[1]) continue; // not exported -> GetExportedTypes skips it
    const members = scanBody(t, cm.index + cm[0].length - 1);
    for (const mem of members) {
      const p = parseProp(mem.header, {});
      if (!p) continue;
      if (!p.mods.includes('public')) continue;
      const isProp = mem.kind === 'block' || mem.kind === 'arrow';
      const isField = mem.kind === 'semi';
      if (!isProp && !isField) continue;
      if (p.mods.includes('const')) continue;
      if (isProp && !p.mods.includes('static')) continue;
      const dm = attrText(mem.attrs, 'DataMember');
      const dmName = attrString(dm, 'Name');
      const desc =
        attrString(attrText(mem.attrs, 'Description'), 'Description') ??
        (/\[\s*Description\(\s*(@?"(?:[^"\\]|\\.)*")/.exec(mem.attrs.join('\n')) || [])[1];
      const counter = !!attrText(mem.attrs, 'CounterMetric');
      const kil = attrText(mem.attrs, 'KeyIsLabel');
      const isDict = /Dictionary</.test(p.type);
      const isEnumerable =
        isDict || /\[\]$|^(IEnumerable|IList|List|HashSet|ISet|ICollection|IReadOnly\w*)</.test(p.type);
      const nameIdx = mem.headerIdx + mem.header.lastIndexOf(p.name);
      const at = { file: f, line: lineAt(t, nameIdx) };
      let help = typeof desc === 'string' && desc.startsWith('"') ? JSON.parse(desc) : desc;
      const base = { type: 'gauge', help, at };
      const src_ = `${ns}.Metrics.${p.name}`;
      if (!isEnumerable) {
        metricNames.push({
          name: dmName ?? gaugeName(p.name),
          ...base,
          note: `${src_} (${p.type}${isField ? ' field' : ''})${counter ? '; [CounterMetric] but exported to Prometheus as a gauge' : ''}${dmName ? '; name from [DataMember(Name)]' : ''}`,
        });
      } else if (isDict && kil) {
        const labels = [...kil.matchAll(/"([^"]+)"/g)].map((x) => x[1]);
        metricNames.push({
          name: dmName ?? gaugeName(p.name),
          ...base,
          labels,
          note: `${src_} (${p.type}); [KeyIsLabel] -> one series per key, labels ${labels.join(',')}`,
        });
      } else if (isDict) {
        metricNames.push({
          name: null,
          dynamic: true,
          ...base,
          note: `${src_} (${p.type}) has no [KeyIsLabel]: each dictionary key K becomes its own gauge "nethermind_" + snake(K) (MetricsController.UpdateMetrics, BuildGaugeName(keyStr)); names depend on runtime keys`,
        });
      }
    }
  }
}
// duplicates
const count = new Map();
for (const m of metricNames) if (m.name) count.set(m.name, (count.get(m.name) || 0) + 1);
for (const m of metricNames)
  if (m.name && count.get(m.name) > 1)
    m.note +=
      '; the same gauge name is produced by more than one Metrics class (prometheus-net returns the one gauge; the registered value source is the last registered type)';

// ---------------------------------------------------------------- assemble
const L = (re, file = programPath) => {
  const t = src(file);
  const m = re.exec(t);
  if (!m) throw new Error(`pattern ${re} not found in ${file}`);
  return { file, line: lineAt(t, m.index) };
};
const disabled = sections.flatMap((s) =>
  s.__all
    .filter((k) => k.__disabled)
    .map((k) => `${k.name} (${s.disabledForCli ? 'whole category' : 'item'} DisabledForCli)`),
);
for (const s of sections) delete s.__all;
for (const f of configFlags) {
  delete f.__disabled;
  delete f.disabledForCli;
}

const out = {
  client: 'nethermind',
  version: tag,
  source: {
    repository: 'NethermindEth/nethermind',
    tag,
    commit,
    licence: 'LGPL-3.0-only (SPDX headers; GPL-3.0 for some files - see LICENSE-*)',
  },
  derivation: 'derive-nethermind.mjs (this directory) + hand-checked parts described in nethermind.md',
  commands: {
    '': {
      flags: [...runnerFlags, ...configFlags],
      unknownFlag: {
        exitCode: 106,
        stream: 'stdout',
        message:
          '{time}|Unrecognized option \'{raw}\'.{suggestion}  (then McMaster\'s hint line "Specify --help for a list of available options and commands."; {raw} is the whole argument as typed, e.g. --Foo.Bar=1; {suggestion} is "" or " Did you mean X" or " Did you mean one of: X, Y, Z" with option names without dashes)',
        at: L(/catch \(UnrecognizedCommandParsingException e\)/),
      },
      badValue: {
        exitCode: 1,
        stream: 'stdout',
        message:
          'Failure System.InvalidOperationException / System.Configuration.ConfigurationErrorsException: Could not load value {Section}Config.{Key}. See inner exception for details. (logged by the NLog critical logger in Main; console target per NLog.config)',
        at: L(/Could not load value/, 'src/Nethermind/Nethermind.Config/ConfigSourceHelper.cs'),
      },
      positional:
        'none: a bare word is refused by McMaster ("Unrecognized command or argument \'{raw}\'", same handling as unknownFlag, exit 106)',
    },
  },
  configFiles: [
    {
      command: '',
      locatedBy:
        'flag:config (default configs/mainnet.cfg; NETHERMIND_CONFIG env overrides). A bare name like "mainnet" resolves to <app dir>/mainnet.cfg, falling back to <app dir>/configs/mainnet.cfg; --configsDirectory changes the directory (Program.cs BuildConfigProvider)',
      format: 'json',
      at: L(/configProvider\.AddSource\(new JsonConfigSource\(configFilePath\)\)/),
      keys: configFlags.map((f) => ({ path: f.name, type: f.type, at: f.at })),
      unknownKey:
        'warning only: "Incorrect config settings found:" + "ConfigType:JsonConfigFile|Category:{Section}|Name:{Key}" logged at Warn, start-up continues (Program.cs FindIncorrectSettings)',
      unknownKeyAt: L(/Incorrect config settings found/),
      badValue: {
        exitCode: 1,
        stream: 'stdout',
        message: 'Could not load value {Section}Config.{Key}. See inner exception for details.',
        at: L(/Could not load value/, 'src/Nethermind/Nethermind.Config/ConfigSourceHelper.cs'),
      },
    },
  ],
  metrics: [
    {
      path: '/metrics',
      enabledBy:
        'Metrics.Enabled=true AND Metrics.ExposePort set (ExposePort default null = no HTTP listener; ExposeHost default "+"). GET / redirects to /metrics.',
      at: L(/string url = "\/metrics"/, 'src/Nethermind/Nethermind.Monitoring/NethermindKestrelMetricServer.cs'),
      names: metricNames,
    },
  ],
  sections,
  disabledForCli: disabled,
  notes: [],
};
const N = (text, file, re) => {
  const a = L(re, file);
  out.notes.push(`${text} (${a.file}:${a.line})`);
};
const P = programPath;
N(
  'Command line parser is McMaster.Extensions.CommandLineUtils 4.1.1 (not System.CommandLine); option name and value may be separated by space, ":" or "=" (McMaster v4.1.1 CommandLineApplication.cs:356 default separators), so --Section.Key=value and --Section.Key value both work',
  'src/Nethermind/Directory.Packages.props',
  /McMaster\.Extensions\.CommandLineUtils/,
);
N(
  'Every --Section.Key option is registered at start-up by reflection over all IConfig interfaces in loaded Nethermind assemblies (incl. the plugins directory), skipping INoCategoryConfig, [ConfigCategory(DisabledForCli=true)] and [ConfigItem(DisabledForCli=true)]; all are SingleValue options. This table lists the interfaces found in the source tree (test/benchmark projects excluded); see "sections" and "disabledForCli"',
  P,
  /private static void BuildOptionsFromConfigFiles/,
);
N(
  'CLI option names are matched with McMaster OptionsComparison, which Nethermind leaves at default(StringComparison) = CurrentCulture, i.e. case-sensitive: --jsonrpc.enabled is an unknown option. After parsing, values are looked up case-insensitively (ArgsConfigSource uses OrdinalIgnoreCase)',
  'src/Nethermind/Nethermind.Config/ArgsConfigSource.cs',
  /StringComparer\.OrdinalIgnoreCase/,
);
N(
  'Giving a SingleValue option twice: "Duplicated option \'{name}\'" exit 105; a value for a NoValue option (--help=x): "Value {value} passed for value-less option \'{name}\'" exit 107; both logged to stdout by SimpleConsoleLogger',
  P,
  /Duplicated option/,
);
N(
  'Any other McMaster CommandParsingException (e.g. "Missing value for option \'{name}\'" when the last argument is an option without value) is only logged and Environment.ExitCode is left unchanged, so the process exits 0 without starting',
  P,
  /_logger\.Error\(\$"\{e\.Message\}"\)/,
);
N(
  'Unknown option and bad value are written via SimpleConsoleLogger = Console.WriteLine (stdout) with a "yyyy-MM-dd HH-mm-ss.ffff|" prefix before the config is loaded',
  'src/Nethermind/Nethermind.Logging/SimpleConsoleLogger.cs',
  /Console\.WriteLine/,
);
N(
  'A value that does not convert to the property type is not checked by the CLI parser (all options are strings); it fails later in ConfigProvider.Initialize -> ConfigSourceHelper.ParseValue with ConfigurationErrorsException "Could not load value {Section}Config.{Key}. See inner exception for details."; Run() sets Environment.ExitCode = GeneralError (1) and rethrows, Main logs "Failure" + exception with the NLog critical logger (logs.txt + NLog.config targets; the shipped NLog.config has a ColoredConsole target) and returns, so the exit code is 1',
  P,
  /Environment\.ExitCode = ExitCodes\.GeneralError/,
);
N(
  'Sources and precedence: command line, then NETHERMIND_{SECTION}CONFIG_{KEY} environment variables, then the JSON .cfg file; the first source that sets a key wins',
  P,
  /configProvider\.AddSource\(argsSource\)/,
);
N(
  '--config=mainnet: a name without extension and without directory separator is made absolute against the app dir first (so it then contains a separator), ".cfg" is appended, and if <app dir>/mainnet.cfg does not exist it falls back to <app dir>/configs/mainnet.cfg; missing -> InvalidOperationException "Configuration: {path} was not found."',
  P,
  /Fallback to "\{executingDirectory\}\/configs\/\{configFile\}"/,
);
N(
  'The shipped configs/mainnet.cfg sets Init.ChainSpecPath/GenesisHash/BaseDbPath=nethermind_db/mainnet, Sync.FastSync/SnapSync/Pivot*, EthStats.Server, Metrics.NodeName=Mainnet, Blocks.TargetBlockGasLimit, JsonRpc.Enabled=true Host=127.0.0.1 Port=8545 AdditionalRpcUrls=["http://localhost:8551|http;ws|net;eth;subscribe;engine;web3;client"], Merge.Enabled=true',
  'src/Nethermind/Nethermind.Runner/configs/mainnet.cfg',
  /"Merge"/,
);
N(
  '--datadir rebases Init.BaseDbPath, KeyStore.KeyStoreDirectory, Init.LogDirectory and Snapshot.SnapshotDirectory onto the data dir via GetApplicationResourcePath(dataDir)',
  P,
  /private static void SetFinalDataDirectory/,
);
N(
  'Metrics: nothing is collected unless Metrics.Enabled (or Metrics.CountersEnabled) is true; the HTTP listener is only started when Metrics.ExposePort is set, on http://{ExposeHost}:{ExposePort}/metrics (ExposeHost "+" = all interfaces). Metrics.PushGatewayUrl non-empty additionally pushes',
  'src/Nethermind/Nethermind.Monitoring/MonitoringService.cs',
  /if \(_exposePort is not null\)/,
);
N(
  'Metric types: every exported type named "Metrics" in a Nethermind assembly (TypeDiscovery.FindNethermindBasedTypes(nameof(Metrics)))',
  'src/Nethermind/Nethermind.Init/Steps/StartMonitoring.cs',
  /FindNethermindBasedTypes\(nameof\(Metrics\)\)/,
);
N(
  'Metric name rule: [DataMember(Name)] if present, else "nethermind_" + Regex.Replace(memberName, "(\\p{Ll})(\\p{Lu})", "$1_$2").ToLowerInvariant() -> only lower->upper boundaries split, digits and acronyms are not (Bn254Mul -> bn254mul, P2PBytesSent -> p2pbytes_sent). Members: public properties (static) and public fields that are not IEnumerable; dictionaries with [KeyIsLabel] become one labelled gauge; dictionaries without it become one gauge per key named "nethermind_" + snake(key). All are prometheus-net Gauges (also [CounterMetric] ones)',
  'src/Nethermind/Nethermind.Monitoring/Metrics/MetricsController.cs',
  /private static string BuildGaugeName\(string propertyName\)/,
);
N(
  'Every gauge carries static labels Instance, Network, SyncType, PruningMode, Version, Commit, Runtime, BuildTimestamp (ProductInfo). prometheus-net default collectors (process_*, dotnet_*) are not defined in this repository and are not listed',
  'src/Nethermind/Nethermind.Monitoring/Metrics/MetricsController.cs',
  /Tags that all metrics share/,
);
N(
  'nethermind_blocks is NOT a count: Blockchain.Metrics.Blocks is set to the number of the last processed block (description says "Total number of blocks processed"); ethereum_blockchain_height (EIP-2159 name, no nethermind_ prefix) is set from the same block header number right after, and ethereum_best_known_block_number to BlockTree.BestKnownNumber. All three only move when blocks are processed (0 during snap/fast sync before processing starts)',
  'src/Nethermind/Nethermind.Consensus/Processing/ProcessingStats.cs',
  /Metrics\.Blocks = block\.Number/,
);
N(
  'nethermind_sync_peers exists but is a labelled gauge (label client_type = NodeClientType, one series per client type, updated by SyncPeerPool with +/- deltas): sum over client_type to get the sync-peer total. ethereum_peer_count (Network.Metrics.PeerCount, EIP-2159) is the unlabelled number of connected peers',
  'src/Nethermind/Nethermind.Synchronization/Peers/SyncPeerPool.cs',
  /Metrics\.SyncPeers\.AddOrUpdate/,
);
N(
  'Source used: the tag 1.29.1 in a GitHub mirror (AnilChinchawale/nethermind) because the NethermindEth/nethermind snapshot exceeded the fetch size limit; the tag commit carries VersionPrefix 1.29.1 in Directory.Build.props. Cross-check the commit against upstream when possible',
  'src/Nethermind/Directory.Build.props',
  /<VersionPrefix>/,
);
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
