/**
 * A small strict parser of systemd unit files, following systemd.syntax(7) and
 * systemd.service(5) "Command lines": what systemd would take from a unit, or an error where
 * systemd would read something else than a plain value (a specifier other than %%, a variable,
 * a command separator, a continuation line). `systemd-analyze verify` says a unit is accepted;
 * this says what it means: ExecStart's argv, ReadWritePaths' paths, every other value.
 */

export type Unit = Record<string, Record<string, string | string[]>>;

const WORD_LISTS = new Set(['ExecStart', 'ReadWritePaths']);

export function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string | string[]> | undefined;
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.endsWith('\\')) throw new Error(`line ${n + 1}: a continuation line`);
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]!] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) throw new Error(`line ${n + 1}: not a setting: ${JSON.stringify(raw)}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!/^[A-Za-z0-9-]+$/.test(key)) throw new Error(`line ${n + 1}: a bad key ${JSON.stringify(key)}`);
    if (key in section) throw new Error(`line ${n + 1}: ${key} set twice`);
    section[key] = WORD_LISTS.has(key) ? words(value, key === 'ExecStart', n + 1) : specifiers(value, n + 1);
  }
  return unit;
}

/** `%%` is a percent sign; any other specifier would be expanded by systemd. */
function specifiers(s: string, line: number): string {
  return s.replace(/%(.?)/g, (_, c: string) => {
    if (c === '%') return '%';
    throw new Error(`line ${line}: the specifier %${c} would be expanded`);
  });
}

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  s: ' ',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** Splits like systemd's extract_first_word(EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE), with $ checks for command lines. */
function words(value: string, commandLine: boolean, line: number): string[] {
  const out: string[] = [];
  let i = 0;
  const v = value;
  while (i < v.length) {
    while (v[i] === ' ' || v[i] === '\t') i++;
    if (i >= v.length) break;
    if (commandLine && v[i] === ';' && (i + 1 === v.length || v[i + 1] === ' ' || v[i + 1] === '\t'))
      throw new Error(`line ${line}: a lone ; separates a second command`);
    let word = '';
    let quote: string | undefined;
    for (; i < v.length; i++) {
      const c = v[i]!;
      if (!quote && (c === ' ' || c === '\t')) break;
      if (c === quote) {
        quote = undefined;
        continue;
      }
      if (!quote && (c === '"' || c === "'")) {
        quote = c;
        continue;
      }
      if (c === '\\') {
        const e = v[++i];
        if (e === undefined) throw new Error(`line ${line}: a trailing backslash`);
        if (e === 'x') {
          word += String.fromCharCode(parseInt(v.slice(i + 1, i + 3), 16));
          i += 2;
        } else if (e === ';' && commandLine) word += ';';
        else if (ESCAPES[e] !== undefined) word += ESCAPES[e];
        else throw new Error(`line ${line}: an unknown escape \\${e}`);
        continue;
      }
      word += c;
    }
    if (quote) throw new Error(`line ${line}: an unclosed ${quote}`);
    word = specifiers(word, line);
    if (commandLine) {
      if (/\$(?!\$)/.test(word.replace(/\$\$/g, ''))) throw new Error(`line ${line}: ${word} expands a variable`);
      word = word.replace(/\$\$/g, '$');
    }
    out.push(word);
  }
  return out;
}
