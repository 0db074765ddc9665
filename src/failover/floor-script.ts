/**
 * The host-side half of "never lower the floor" (pure strings): before a signing state or a
 * witness copy is replaced, the script reads the file that is on the host NOW and refuses to
 * write when it stands for a higher watermark than the content being written. The decision was
 * made from a probe a moment earlier; the host may have moved on since (a signer still running,
 * a status run in between), and only the host can compare at the instant of the write.
 * cometbft: height/round/step, parsed with sed/awk; cardano: the certificate's issue counter.
 * A file whose watermark cannot be found is replaced (it stands for nothing stake could compare).
 */
import { parseOpcert } from '../chain/cardano-opcert.js';
import { parseSignState } from '../chain/cometbft-sign-state.js';
import type { Family } from '../inventory/clients.js';
import { base64Heredoc, hostPath, shq, writeFromLines } from '../ssh/shell.js';

/** The exit code of a write refused because the host holds a higher watermark. */
export const WOULD_LOWER_EXIT = 43;
/** The stderr line's start, which the caller recognises (a host can forge it: it can only make stake refuse). */
export const WOULD_LOWER = 'stake: refused to lower';

// Decimal strings compared by length, then as strings: heights are int64, beyond awk's doubles.
const AWK_CMP = `function cmp(a, b) { sub(/^0+/, "", a); sub(/^0+/, "", b); if (length(a) != length(b)) return length(a) < length(b) ? -1 : 1; if ((a "") == (b "")) return 0; return (a "") < (b "") ? -1 : 1 }`;

/** awk: exits 1 when the cometbft state on stdin (whitespace removed) is above H/R/S given. */
const cometbftAbove = (h: string, r: number, s: number) =>
  `awk -v nh=${h} -v nr=${r} -v ns=${s} ${shq(
    `${AWK_CMP}
function num(key,  v) { if (!match($0, "\\"" key "\\":\\"?[0-9]+")) return ""; v = substr($0, RSTART, RLENGTH); sub(/^.*:"?/, "", v); return v }
{ h = num("height"); if (h == "") exit 0; r = num("round"); s = num("step"); if (r == "") r = "0"; if (s == "") s = "0"
  c = cmp(h, nh); if (c == 0) c = cmp(r, nr); if (c == 0) c = cmp(s, ns); exit (c > 0) }`,
  )}`;

/** awk: exits 1 when the node.cert on stdin (whitespace removed) has an issue counter above n. */
const opcertAbove = (n: number) =>
  `awk -v n=${n} ${shq(
    `${AWK_CMP}
function hex(x,  i, v) { v = 0; x = tolower(x); for (i = 1; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1; return v }
{ if (!match($0, "\\"cborHex\\":\\"82845820[0-9a-fA-F]+")) exit 0; c = substr($0, RSTART + 83, 18); b = hex(substr(c, 1, 2))
  if (b < 24) v = b; else if (b == 24) v = hex(substr(c, 3, 2)); else if (b == 25) v = hex(substr(c, 3, 4)); else if (b == 26) v = hex(substr(c, 3, 8)); else if (b == 27) v = hex(substr(c, 3, 16)); else exit 0
  exit (cmp(sprintf("%.0f", v), n) > 0) }`,
  )}`;

/** The awk test for a family's content, or undefined when the content holds no watermark stake can read. */
function aboveTest(family: Family, content: string): string | undefined {
  try {
    if (family === 'cosmos') {
      const s = parseSignState(content);
      return cometbftAbove(s.height.toString(), s.round, s.step);
    }
    if (family === 'cardano') return opcertAbove(parseOpcert(content).counter);
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * writeFileLines, guarded: when the file on the host holds a higher watermark than `content`,
 * the script stops with WOULD_LOWER_EXIT and a line on stderr, and writes nothing after it.
 * `owner` (user:group), when given, owns the file: the client that reads and advances the state.
 */
export function neverLowerWriteLines(
  family: Family,
  root: string,
  path: string,
  content: string,
  mode: string,
  owner?: string,
): string[] {
  const test = aboveTest(family, content);
  const write = writeFromLines(root, path, mode, (into) => base64Heredoc(content, { into }), 'stake_tmp', owner);
  if (!test) return write;
  const file = hostPath(root, path);
  const said = `echo ${shq(`${WOULD_LOWER} ${path}: the host holds a higher watermark than the one stake would write`)} >&2`;
  return [
    `if [ -f ${file} ] && ! tr -d ' \\t\\r\\n' < ${file} | ${test}; then`,
    `${said}; exit ${WOULD_LOWER_EXIT}`,
    'fi',
    ...write,
  ];
}
