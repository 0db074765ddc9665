// What the Go clients' derive scripts share: git access to the tag, Go source scanning, pflag
// and Prometheus metric extraction. No dependencies. Arguments: <repo git dir> <tag>.
import { execFileSync } from 'node:child_process';
export const [, , REPO, TAG] = process.argv;
if (!REPO || !TAG) {
  console.error('usage: node derive.mjs <repo git dir> <tag>');
  process.exit(2);
}
export const git = (...a) => execFileSync('git', ['-C', REPO, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
export const show = (p) => git('show', `${TAG}:${p}`);
export const tryShow = (p) => {
  try {
    return show(p);
  } catch {
    return null;
  }
};
export const lsFiles = () => git('ls-tree', '-r', '--name-only', TAG).split('\n').filter(Boolean);
export const commit = () => git('rev-parse', `${TAG}^{commit}`).trim();
export const lineAt = (text, idx) => text.slice(0, idx).split('\n').length;
export const goFiles = (pred = () => true) =>
  lsFiles().filter(
    (f) =>
      f.endsWith('.go') &&
      !f.endsWith('_test.go') &&
      !/(^|\/)(mock|mocks|testing|testdata|testutil)\//.test(f) &&
      pred(f),
  );
// Find the matching close brace for text[openIdx] === '{'
export function matchBrace(text, openIdx) {
  let d = 0,
    inStr = null;
  for (let i = openIdx; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\' && inStr === '"') {
        i++;
        continue;
      }
      if (c === inStr) inStr = null;
      continue;
    }
    if (c === '"' || c === '`') {
      inStr = c;
      continue;
    }
    if (c === '{') d++;
    else if (c === '}') {
      d--;
      if (d === 0) return i;
    }
  }
  return -1;
}
// Prometheus client_golang metrics: prometheus.NewXxx[Vec](prometheus.XxxOpts{...}[, []string{...}])
export function promMetrics(files, resolveIdent) {
  const out = [];
  for (const f of files) {
    const t = show(f);
    const re = /prometheus\.New(Gauge|Counter|Histogram|Summary)(Vec)?\(\s*prometheus\.(\w+)Opts\{/g;
    let m;
    while ((m = re.exec(t))) {
      const open = m.index + m[0].length - 1,
        close = matchBrace(t, open);
      const body = t.slice(open, close);
      const field = (k) => {
        const r = new RegExp(`\\b${k}:\\s*("([^"]*)"|[A-Za-z_][\\w.]*)`).exec(body);
        if (!r) return ['', -1];
        return [r[2] !== undefined ? r[2] : resolveIdent(f, r[1]), open + r.index];
      };
      const [ns] = field('Namespace'),
        [sub] = field('Subsystem'),
        [name, nIdx] = field('Name');
      if (name === undefined || name === null || nIdx < 0) continue;
      const help = (/\bHelp:\s*"((?:[^"\\]|\\.)*)"/.exec(body) || [])[1];
      const after = t.slice(close + 1, close + 300);
      const lab = m[2] ? /^\s*,\s*\[\]string\{([^}]*)\}/.exec(after) : null;
      const full = [ns, sub, name].filter((x) => x).join('_');
      const type = m[1].toLowerCase();
      const e = { name: full, type, at: { file: f, line: lineAt(t, nIdx) } };
      if (help) e.help = help;
      const notes = [];
      if (lab && lab[1].replace(/[\s"]/g, ''))
        notes.push(
          `labels: ${lab[1]
            .split(',')
            .map((s) => s.trim().replace(/"/g, ''))
            .filter(Boolean)
            .join(', ')}`,
        );
      if (type === 'histogram') notes.push(`exposed as ${full}_bucket, ${full}_sum, ${full}_count`);
      if (type === 'summary') notes.push(`exposed as ${full}{quantile=...}, ${full}_sum, ${full}_count`);
      if ([ns, sub, name].some((x) => x === undefined))
        notes.push('a name part is not a literal/resolvable identifier');
      if (notes.length) e.note = notes.join('; ');
      out.push(e);
    }
  }
  return out;
}
// resolve `var|const NAME = "..."` in the same directory (package)
export function makeResolver() {
  const cache = {};
  return (file, ident) => {
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
    if (!cache[dir]) {
      cache[dir] = {};
      for (const f of lsFiles().filter(
        (x) => (x.includes('/') ? x.slice(0, x.lastIndexOf('/')) : '') === dir && x.endsWith('.go'),
      )) {
        for (const mm of show(f).matchAll(/\b(\w+)\s*(?:string\s*)?=\s*"([^"]*)"/g)) cache[dir][mm[1]] ??= mm[2];
      }
    }
    return cache[dir][ident];
  };
}
// pflag on the global CommandLine: pflag.String("name", default, usage) etc.
export function pflagFlags(file) {
  const t = show(file),
    out = [];
  const kinds = {
    String: 'string',
    Bool: 'bool',
    Int: 'int',
    Int64: 'int',
    Uint64: 'uint',
    Uint: 'uint',
    Duration: 'duration',
    StringSlice: 'list',
    Float64: 'float',
  };
  for (const m of t.matchAll(
    /pflag\.(String|Bool|Int|Int64|Uint64|Uint|Duration|StringSlice|Float64)(P)?\(\s*"([^"]+)"\s*,(\s*"([^"]*)"\s*,)?/g,
  )) {
    const e = { name: m[3], kind: kinds[m[1]], repeatable: false, at: { file, line: lineAt(t, m.index) } };
    if (m[1] === 'StringSlice') {
      e.repeatable = true;
      e.note = 'comma separated; repeated flags append';
    } else e.note = 'given more than once: the last value wins (pflag Set overwrites)';
    out.push(e);
  }
  return out;
}
export const print = (o) => process.stdout.write(JSON.stringify(o, null, 2) + '\n');
// viper keys read by literal name, plus the hierarchical util helpers (vouch/dirk style)
export function viperKeys(files) {
  const types = {
    Get: 'any',
    GetString: 'string',
    GetBool: 'bool',
    GetInt: 'int',
    GetInt32: 'int',
    GetInt64: 'int',
    GetUint64: 'uint',
    GetUint32: 'uint',
    GetUint: 'uint',
    GetFloat64: 'float',
    GetDuration: 'duration',
    GetStringSlice: 'list',
    GetIntSlice: 'list',
    GetStringMap: 'map',
    GetStringMapString: 'map',
    GetStringMapStringSlice: 'map',
    GetTime: 'time',
    IsSet: 'any',
    SetDefault: 'default',
  };
  const keys = new Map(),
    dynamic = [];
  const add = (k, type, file, t, idx, how) => {
    const at = { file, line: lineAt(t, idx) };
    if (!keys.has(k)) keys.set(k, { path: k, type, at, via: new Set() });
    const e = keys.get(k);
    if (e.type === 'default' || e.type === 'any') e.type = type;
    if (how) e.via.add(how);
  };
  const helpers = {
    Timeout: ['timeout', 'duration'],
    LogLevel: ['log-level', 'string'],
    ProcessConcurrency: ['process-concurrency', 'int'],
    BeaconNodeAddresses: ['beacon-node-addresses', 'list'],
  };
  for (const f of files) {
    const t = show(f);
    for (const m of t.matchAll(/viper\.(\w+)\(\s*"([^"]+)"/g))
      if (types[m[1]]) add(m[2], types[m[1]], f, t, m.index, m[1] === 'SetDefault' ? 'default set' : '');
    for (const m of t.matchAll(/viper\.(\w+)\(\s*fmt\.Sprintf\("([^"]+)"/g))
      dynamic.push({ pattern: m[2], at: { file: f, line: lineAt(t, m.index) } });
    for (const m of t.matchAll(/util\.(Timeout|LogLevel|ProcessConcurrency|BeaconNodeAddresses)\(\s*"([^"]*)"\s*\)/g)) {
      const [leaf, type] = helpers[m[1]];
      add(
        m[2] ? `${m[2]}.${leaf}` : leaf,
        type,
        f,
        t,
        m.index,
        `util.${m[1]}("${m[2]}"): hierarchical, falls back to parent paths then top-level "${leaf}"`,
      );
    }
    for (const m of t.matchAll(/util\.HierarchicalBool\(\s*"([^"]+)"\s*,\s*"([^"]*)"\s*\)/g))
      add(
        m[2] ? `${m[2]}.${m[1]}` : m[1],
        'bool',
        f,
        t,
        m.index,
        `util.HierarchicalBool: falls back to parent paths then top-level "${m[1]}"`,
      );
    for (const m of t.matchAll(
      /util\.(Timeout|LogLevel|ProcessConcurrency|BeaconNodeAddresses)\(\s*([a-zA-Z_]\w*)\s*\)/g,
    ))
      dynamic.push({ pattern: `<${m[2]}>.${helpers[m[1]][0]}`, at: { file: f, line: lineAt(t, m.index) } });
  }
  const list = [...keys.values()].map((e) => {
    const o = { path: e.path, type: e.type === 'default' ? 'any' : e.type, at: e.at };
    if (e.via.size) o.note = [...e.via].join('; ');
    return o;
  });
  list.sort((a, b) => a.path.localeCompare(b.path));
  return { list, dynamic };
}
