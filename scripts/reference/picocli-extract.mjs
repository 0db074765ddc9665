// Shared picocli annotation extractor for derive-teku.mjs and derive-web3signer.mjs.
// Plain Node.js ESM, no dependencies. Reads Java sources with `git show TAG:path`.
// Walks a @Command class: its @Option fields/methods, @Mixin fields (recursively), @ArgGroup fields
// (recursively), and superclasses (`extends X`).
import { execFileSync } from 'node:child_process';

export function makeRepo(DIR, TAG) {
  const git = (...a) => execFileSync('git', ['-C', DIR, ...a], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const cache = new Map();
  const show = (p) => {
    if (!cache.has(p)) cache.set(p, git('show', `${TAG}:${p}`));
    return cache.get(p);
  };
  const files = git('ls-tree', '-r', '--name-only', TAG).split('\n').filter(Boolean);
  const commit = git('rev-parse', `${TAG}^{commit}`).trim();
  return { git, show, files, commit, TAG, DIR };
}

export const lineOf = (text, idx) => text.slice(0, idx).split('\n').length;

// index of the matching close paren/brace, skipping string and char literals and comments
export function matchClose(t, open) {
  const o = t[open];
  const c = o === '(' ? ')' : o === '{' ? '}' : ']';
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    const ch = t[i];
    if (ch === '"') {
      if (t.startsWith('"""', i)) {
        i = t.indexOf('"""', i + 3) + 2;
        continue;
      }
      i++;
      while (i < t.length && t[i] !== '"') {
        if (t[i] === '\\') i++;
        i++;
      }
      continue;
    }
    if (ch === "'") {
      i++;
      while (t[i] !== "'") {
        if (t[i] === '\\') i++;
        i++;
      }
      continue;
    }
    if (ch === '/' && t[i + 1] === '/') {
      i = t.indexOf('\n', i);
      continue;
    }
    if (ch === '/' && t[i + 1] === '*') {
      i = t.indexOf('*/', i) + 1;
      continue;
    }
    if (ch === o) depth++;
    else if (ch === c) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

// evaluate a Java string expression made of literals, constants and `+`
function evalStr(expr, resolveConst) {
  const parts = [];
  const re = /"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w.]*)|\+|\s+/gy;
  let m;
  let pos = 0;
  re.lastIndex = 0;
  while (pos < expr.length && (m = re.exec(expr))) {
    pos = re.lastIndex;
    if (m[1] !== undefined) parts.push(m[1].replace(/\\"/g, '"').replace(/\\n/g, '\n'));
    else if (m[2] !== undefined) {
      const v = resolveConst(m[2]);
      if (v == null) return null;
      parts.push(v);
    }
  }
  return pos >= expr.trim().length ? parts.join('') : null;
}

// split annotation body into key = value at top level
function annotationAttrs(body) {
  const attrs = {};
  let i = 0;
  while (i < body.length) {
    const m = /\s*([A-Za-z_]\w*)\s*=\s*/y;
    m.lastIndex = i;
    const km = m.exec(body);
    if (!km) break;
    let j = m.lastIndex;
    let depth = 0;
    let start = j;
    for (; j < body.length; j++) {
      const ch = body[j];
      if (ch === '"') {
        j++;
        while (j < body.length && body[j] !== '"') {
          if (body[j] === '\\') j++;
          j++;
        }
        continue;
      }
      if (ch === '(' || ch === '{' || ch === '[') depth++;
      else if (ch === ')' || ch === '}' || ch === ']') depth--;
      else if (ch === ',' && depth === 0) break;
    }
    attrs[km[1]] = body.slice(start, j).trim();
    i = j + 1;
  }
  return attrs;
}

export function makeExtractor(repo, { roots }) {
  const { show, files } = repo;
  const byName = new Map();
  for (const f of files) {
    if (
      !f.endsWith('.java') ||
      f.includes('/test/') ||
      f.includes('/testFixtures/') ||
      f.includes('/integration-test/')
    )
      continue;
    const n = f.split('/').pop().slice(0, -5);
    if (!byName.has(n)) byName.set(n, []);
    byName.get(n).push(f);
  }
  function fileForClass(simple, fromFile) {
    const cands = byName.get(simple) || [];
    if (cands.length <= 1) return cands[0];
    // prefer one imported by fromFile
    const t = fromFile ? show(fromFile) : '';
    const imp = t.match(new RegExp(`import\\s+([\\w.]+\\.${simple});`));
    if (imp) {
      const p = imp[1].replace(/\./g, '/') + '.java';
      const hit = cands.find((c) => c.endsWith(p));
      if (hit) return hit;
    }
    const pre = roots.map((r) => cands.find((c) => c.startsWith(r))).find(Boolean);
    return pre || cands[0];
  }
  // class body: [file, text, start, end]
  function classSource(name, fromFile) {
    const simple = name.replace(/<.*$/, '').split('.').pop();
    // inner class in fromFile?
    if (fromFile) {
      const t = show(fromFile);
      const m = t.match(new RegExp(`(?:class|interface|enum)\\s+${simple}\\b[^{]*\\{`));
      if (m) {
        const s = m.index;
        const open = s + m[0].length - 1;
        return { file: fromFile, t, s, e: matchClose(t, open) };
      }
    }
    const f = fileForClass(simple, fromFile);
    if (!f) return null;
    const t = show(f);
    const m = t.match(new RegExp(`(?:class|interface|enum|record)\\s+${simple}\\b[^{]*\\{`));
    if (!m) return null;
    const open = m.index + m[0].length - 1;
    return { file: f, t, s: m.index, e: matchClose(t, open) };
  }
  function constResolver(file) {
    return (name) => {
      const simple = name.split('.').pop();
      const owner = name.includes('.') ? name.split('.').slice(-2, -1)[0] : null;
      const tryFile = (f) => {
        if (!f) return null;
        const t = show(f);
        const m = t.match(
          new RegExp(`(?:static\\s+final\\s+|final\\s+static\\s+|^\\s+)String\\s+${simple}\\s*=\\s*([^;]+);`, 'm'),
        );
        return m ? evalStr(m[1], constResolver(f)) : null;
      };
      let v = tryFile(owner ? classSource(owner, file)?.file : file);
      if (v == null && !owner) {
        // static import
        const t = show(file);
        const si = t.match(new RegExp(`import\\s+static\\s+([\\w.]+)\\.${simple};`));
        if (si) v = tryFile(fileForClass(si[1].split('.').pop(), file));
      }
      if (v == null && !owner) {
        // constants of implemented interfaces / superclasses named in the file
        const t = show(file);
        const hdr = t.match(/(?:class|interface)\s+\w+[^{]*\{/);
        if (hdr)
          for (const n of hdr[0].replace(/<[^>]*>/g, '').matchAll(/\b([A-Z]\w+)\b/g)) {
            if (v != null) break;
            const f2 = fileForClass(n[1], file);
            if (f2 && f2 !== file) v = tryFile(f2);
          }
      }
      if (v == null && !owner) {
        // last resort: a unique `String NAME = "..."` anywhere in main sources
        let hits = [];
        try {
          hits = repo
            .git('grep', '-l', '-E', `String[[:space:]]+${simple}[[:space:]]*=`, repo.TAG, '--', '*.java')
            .split('\n')
            .filter(Boolean)
            .map((l) => l.slice(repo.TAG.length + 1))
            .filter((f) => !f.includes('/test/'));
        } catch {
          hits = [];
        }
        if (hits.length === 1) v = tryFile(hits[0]);
      }
      return v;
    };
  }
  function enumValues(typeName, fromFile) {
    const src = classSource(typeName, fromFile);
    if (!src) return null;
    const body = src.t.slice(src.s, src.e);
    if (
      !/^\s*(?:public\s+)?enum\b/.test(src.t.slice(src.t.lastIndexOf('\n', src.s) + 1, src.s + 5)) &&
      !/\benum\s/.test(body.slice(0, 80))
    )
      return null;
    const inner = body.slice(body.indexOf('{') + 1);
    const stop = inner.search(/;|\}/);
    const list = inner.slice(0, stop === -1 ? inner.length : stop);
    const vals = [];
    let depth = 0,
      cur = '';
    for (const ch of list) {
      if (ch === '(') depth++;
      if (ch === ')') depth--;
      if (ch === ',' && depth === 0) {
        vals.push(cur);
        cur = '';
      } else if (depth === 0 && ch !== ')') cur += ch;
    }
    vals.push(cur);
    const names = vals
      .map((v) => v.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|@\w+/g, '').trim())
      .filter((v) => /^[A-Z_][A-Z0-9_]*$/.test(v));
    return { values: names, at: { file: src.file, line: lineOf(src.t, src.s) } };
  }

  // returns list of options of a class (recursing into mixins, arg groups, superclasses)
  function optionsOf(className, fromFile, trail = [], seen = new Set()) {
    const src = classSource(className, fromFile);
    if (!src) return [{ unresolved: className, from: fromFile }];
    const key = `${src.file}#${src.s}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const { file, t, s, e } = src;
    const out = [];
    const header = t.slice(s, t.indexOf('{', s));
    const ext = header.match(/extends\s+([\w.]+)/);
    if (ext) out.push(...optionsOf(ext[1], file, [...trail, `extends ${ext[1]}`], seen));
    const body = t.slice(s, e);
    // skip nested classes when scanning this class's own members
    const nested = [];
    for (const m of body.matchAll(
      /\n\s*(?:(?:public|private|protected|static|final|abstract)\s+)*(?:class|enum|interface|record)\s+\w+[^{;]*\{/g,
    )) {
      if (m.index === 0) continue;
      const o = s + m.index + m[0].length - 1;
      nested.push([s + m.index, matchClose(t, o)]);
    }
    const inNested = (i) => nested.some(([a, b]) => i > a && i < b);
    const annRe = /@(?:CommandLine\.)?(Option|Mixin|ArgGroup|Parameters|Unmatched)\b/g;
    annRe.lastIndex = s;
    let m;
    while ((m = annRe.exec(t)) && m.index < e) {
      if (inNested(m.index)) continue;
      let after = m.index + m[0].length;
      let attrs = {};
      if (t[after] === '(') {
        const close = matchClose(t, after);
        attrs = annotationAttrs(t.slice(after + 1, close));
        after = close + 1;
      }
      // declaration following the annotation(s)
      const rest = t.slice(after);
      const declEnd = rest.search(/[;{=]/);
      let decl = rest
        .slice(0, declEnd)
        .replace(/@\w+(\([^)]*\))?/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      let type,
        member,
        isMethod = false;
      const mm = decl.match(
        /^(?:(?:public|private|protected|static|final|transient|volatile)\s+)*(.+?)\s+(\w+)\s*\((.*)\)?/,
      );
      if (decl.includes('(') && mm) {
        isMethod = true;
        member = mm[2];
        const params = decl
          .slice(decl.indexOf('(') + 1)
          .replace(/\).*$/, '')
          .trim();
        const pm = params.match(/^(?:final\s+)?(.+?)\s+\w+$/);
        type = pm ? pm[1] : mm[1];
      } else {
        const fm = decl.match(/^(?:(?:public|private|protected|static|final|transient|volatile)\s+)*(.+?)\s+(\w+)$/);
        if (fm) {
          type = fm[1];
          member = fm[2];
        }
      }
      const line = lineOf(t, m.index);
      if (m[1] === 'Mixin' || m[1] === 'ArgGroup') {
        if (!type) {
          out.push({ unresolved: decl, from: file, line });
          continue;
        }
        out.push(...optionsOf(type, file, [...trail, `${m[1]} ${type} ${member}`], seen));
        continue;
      }
      if (m[1] !== 'Option') {
        out.push({ positional: m[1], file, line, type, member, attrs });
        continue;
      }
      const rc = constResolver(file);
      let names = [];
      if (attrs.names) {
        const raw = attrs.names.replace(/^\{|\}$/g, '');
        for (const part of raw.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
          const v = evalStr(part.trim(), rc);
          names.push(v ?? `UNRESOLVED:${part.trim()}`);
        }
      }
      const str = (k) => (attrs[k] ? evalStr(attrs[k], rc) : undefined);
      out.push({
        names,
        file,
        line,
        type,
        member,
        isMethod,
        trail,
        arity: str('arity'),
        paramLabel: str('paramLabel'),
        split: str('split'),
        fallbackValue: str('fallbackValue'),
        hidden: attrs.hidden === 'true',
        required: attrs.required === 'true',
        converter: attrs.converter,
        scope: attrs.scope,
        defaultValue: attrs.defaultValue ? str('defaultValue') : undefined,
        negatable: attrs.negatable === 'true',
        enumValues: undefined,
        _from: file,
      });
    }
    for (const o of out)
      if (o.type && !o.enumValues && !o.unresolved && o.names) {
        const bare = o.type.replace(/^final\s+/, '');
        if (
          !/^(boolean|Boolean|int|Integer|long|Long|String|Path|File|UInt64|UInt256|OptionalInt|Bytes32|Double|double|URI|URL|Duration)$/.test(
            bare,
          ) &&
          !/^(List|Set|Optional|Map)</.test(bare)
        ) {
          const ev = enumValues(bare, o._from);
          if (ev && ev.values.length) o.enumValues = ev;
          else {
            const cs = classSource(bare, o._from);
            if (
              cs &&
              /extends\s+(AbstractList|ArrayList|AbstractSet|HashSet)\b|implements\s+[^{]*\b(List|Set|Collection)</.test(
                cs.t.slice(cs.s, cs.t.indexOf('{', cs.s)),
              )
            )
              o.listLike = `${bare} (${cs.file}:${lineOf(cs.t, cs.s)})`;
          }
        }
      }
    return out;
  }
  return { optionsOf, classSource, enumValues, fileForClass };
}

const INT = /^(int|Integer|long|Long|OptionalInt|short|Short)$/;
export function kindOf(o) {
  const t = (o.type || '').replace(/^final\s+/, '');
  if (/^(boolean|Boolean)$/.test(t)) return 'bool';
  if (o.enumValues) return 'enum';
  if (/^(List|Set|Collection)</.test(t) || t.endsWith('[]') || o.listLike || o.split) return 'list';
  if (INT.test(t)) return 'int';
  if (/^(UInt64|UInt256)$/.test(t)) return 'uint';
  if (/^(Double|double|Float|float)$/.test(t)) return 'float';
  if (/^(Path|File)$/.test(t)) return 'path';
  if (/^(URI|URL)$/.test(t)) return 'url';
  if (/^Duration$/.test(t)) return 'duration';
  return 'string';
}

// turn extracted options into FORMAT.md flag entries
export function toFlags(opts, { note } = {}) {
  const flags = [];
  for (const o of opts) {
    if (!o.names) continue;
    const longs = o.names.filter((n) => n.startsWith('--')).map((n) => n.slice(2));
    const shorts = o.names.filter((n) => /^-[^-]/.test(n)).map((n) => n.slice(1));
    const all = [...longs, ...shorts];
    // picocli longestName(): the longest name is the canonical one; keep declaration order for "name"
    const name = longs[0] ?? shorts[0];
    const kind = kindOf(o);
    const t = (o.type || '').replace(/^final\s+/, '');
    const multi = kind === 'list' || /^(Map)</.test(t);
    const notes = [];
    if (o.listLike) notes.push(`list-like type ${o.listLike}`);
    notes.push(`java type ${t}${o.isMethod ? ' (setter method)' : ''}`);
    if (o.arity) notes.push(`arity ${o.arity}`);
    if (o.paramLabel) notes.push(`paramLabel ${o.paramLabel}`);
    if (kind === 'bool') {
      if (o.arity === '0..1' || o.arity === '0..*')
        notes.push(
          `switch with optional value: --x, --x=true or --x=false${o.fallbackValue ? ` (fallbackValue ${o.fallbackValue})` : ''}`,
        );
      else if (o.arity === '1') notes.push('takes a value: true|false');
      else if (!o.arity)
        notes.push(
          'switch (arity unspecified): --x sets true; an attached --x=true|--x=false is converted as a boolean (picocli v4.6.2 CommandLine.java:13679-13705: the "should be specified without" error only applies to an explicit arity 0); a separate true/false word is not consumed',
        );
    }
    if (multi)
      notes.push(
        `multi-value: split ${o.split ? `"${o.split}"` : 'not set (one value per occurrence)'}; may be repeated, values accumulate`,
      );
    else
      notes.push(
        'single value: repeating it fails picocli "option \'--x\' (<..>) should be specified only once" (exit 2)',
      );
    if (o.converter) notes.push(`converter ${o.converter}`);
    if (o.enumValues)
      notes.push(
        `enum ${t} at ${o.enumValues.at.file}:${o.enumValues.at.line}; case-insensitive (BeaconNodeCommand setCaseInsensitiveEnumValuesAllowed) where the command enables it`,
      );
    if (o.hidden) notes.push('hidden from --help');
    if (o.required) notes.push('required');
    if (o.scope) notes.push(`scope ${o.scope}`);
    if (o.trail && o.trail.length) notes.push(`via ${o.trail.join(' > ')}`);
    if (note) notes.push(note);
    const f = { name, kind };
    if (kind === 'enum') f.values = o.enumValues.values;
    if (kind === 'bool' && o.arity === '1') f.values = ['true', 'false'];
    f.repeatable = multi;
    const al = all.filter((x) => x !== name);
    if (al.length) f.aliases = al;
    f.at = { file: o.file, line: o.line };
    f.note = notes.join('; ');
    flags.push(f);
  }
  return flags;
}
