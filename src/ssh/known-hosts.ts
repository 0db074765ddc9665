/**
 * OpenSSH known_hosts, read and checked as OpenSSH does (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
 * comma-separated host patterns with `*` and `?` wildcards and `!` negation, hashed entries
 * (`|1|base64 salt|base64 HMAC-SHA1 of the name`), `[host]:port` names for ports other than 22,
 * several keys per host, and `@revoked` keys, which are never accepted. Pure: text in, verdict out.
 */
import { createHash, createHmac } from 'node:crypto';

export interface KnownHostLine {
  /** 1-based line number in the file, for messages. */
  line: number;
  marker: 'revoked' | 'cert-authority' | undefined;
  patterns: string;
  type: string;
  /** The key blob, base64 as written. */
  key: string;
}

export type HostKeyVerdict =
  | { status: 'trusted'; line: number }
  | { status: 'unknown' }
  | { status: 'changed'; known: { type: string; fingerprint: string; line: number }[] }
  | { status: 'revoked'; line: number };

/** Parses a known_hosts file; comments, blank and malformed lines are skipped (as OpenSSH does). */
export function parseKnownHosts(text: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostLine['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift()!;
      if (m !== '@revoked' && m !== '@cert-authority') return;
      marker = m === '@revoked' ? 'revoked' : 'cert-authority';
    }
    const [patterns, type, key] = fields;
    if (!patterns || !type || !key) return;
    lines.push({ line: i + 1, marker, patterns, type, key });
  });
  return lines;
}

/** The name a host is known by: `host` on port 22, `[host]:port` otherwise. */
export const knownHostName = (host: string, port: number) => (port === 22 ? host : `[${host}]:${port}`);

function wildcard(pattern: string, name: string): boolean {
  // most lines name one host: no regular expression needed (status checks hundreds of hosts against hundreds of lines)
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === name.toLowerCase();
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, kind, salt, hash] = pattern.split('|');
  if (kind !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** Whether a line's host patterns name this host: any positive match and no negated one. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) {
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH's fingerprint of a key blob: `SHA256:` and unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a key blob (its first SSH string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** Checks a presented host key. A revoked key is refused even where another line trusts it. */
export function verifyHostKey(
  lines: readonly KnownHostLine[],
  host: string,
  port: number,
  blob: Buffer,
): HostKeyVerdict {
  const name = knownHostName(host, port);
  const presented = blob.toString('base64');
  const relevant = lines.filter((l) => l.marker !== 'cert-authority' && patternsMatch(l.patterns, name));
  const revoked = lines.find(
    (l) => l.marker === 'revoked' && l.key === presented && (patternsMatch(l.patterns, name) || l.patterns === '*'),
  );
  if (revoked) return { status: 'revoked', line: revoked.line };
  const trusted = relevant.find((l) => !l.marker && l.key === presented);
  if (trusted) return { status: 'trusted', line: trusted.line };
  const known = relevant.filter((l) => !l.marker);
  if (known.length > 0)
    return {
      status: 'changed',
      known: known.map((l) => ({ type: l.type, fingerprint: fingerprint(Buffer.from(l.key, 'base64')), line: l.line })),
    };
  return { status: 'unknown' };
}

/** Key types already trusted for a host, to ask the server for one of those first (as OpenSSH does). */
export function knownKeyTypes(lines: readonly KnownHostLine[], host: string, port: number): string[] {
  const name = knownHostName(host, port);
  return [...new Set(lines.filter((l) => !l.marker && patternsMatch(l.patterns, name)).map((l) => l.type))];
}

/** The line `stake trust` appends for a host key. */
export const knownHostsLine = (host: string, port: number, blob: Buffer) =>
  `${knownHostName(host, port)} ${keyTypeOf(blob)} ${blob.toString('base64')}`;
