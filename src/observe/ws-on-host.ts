/**
 * A WebSocket conversation with a client's local API on its own host, in one SSH round trip: what
 * Ogmios's chain-sync needs (one connection, `findIntersection` then `nextBlock`s, in order), which
 * its HTTP POSTs cannot carry (each POST is a fresh WebSocket). The host runs it with `perl`, which
 * every Debian host has (perl-base is Essential: IO::Socket::INET, `sysread`, `alarm`), so it
 * needs no websocket tool. The script sends every message at once (Ogmios pipelines them), reads
 * exactly as many answers as messages, and prints each answer's payload in hex on one line, so
 * nothing a host sends can pass for the next line. Everything bounded on the host (an answer's
 * bytes, the conversation's seconds) and checked again here. Pure.
 */
import type { ResolvedHost } from '../inventory/resolve.js';
import { localAddresses } from './http-on-host.js';

/** An answer larger than this (a block with many transactions is tens of KB) is not read. */
export const MAX_WS_ANSWER_BYTES = 2 * 1024 * 1024;
/** Seconds the whole conversation may take on the host before it gives up. */
export const CONVERSATION_SECONDS = 10;
/** At most this many messages in one conversation. */
export const MAX_WS_MESSAGES = 200;

export type WsConversation = { answers: string[] } | { error: string };

const hexOf = (text: string) => Buffer.from(text, 'utf8').toString('hex');

/**
 * The perl program. Its frames are masked (a client's must be, RFC 6455 §5.3); the handshake's
 * key is fixed, as the server only hashes it back. A ping is answered, a close ends it.
 */
export function wsScript(
  host: Pick<ResolvedHost, 'address' | 'privateAddress'>,
  port: number,
  messages: readonly string[],
  seconds = CONVERSATION_SECONDS,
): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`wsScript: bad port ${port}`);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) throw new Error(`wsScript: bad seconds ${seconds}`);
  if (messages.length === 0 || messages.length > MAX_WS_MESSAGES)
    throw new Error(`wsScript: 1 to ${MAX_WS_MESSAGES} messages`);
  const addresses = localAddresses(host).join(' ');
  const program = `
use strict; use warnings; use IO::Socket::INET;
$| = 1;
sub say_ { print "=== ws\\t", join("\\t", @_), "\\n" }
$SIG{ALRM} = sub { say_("error", unpack("H*", "no answer within ${seconds} s")); exit 0 };
alarm ${seconds};
my @messages = map { pack("H*", $_) } qw(${messages.map(hexOf).join(' ')});
my $s;
for my $a (qw(${addresses})) { $s = IO::Socket::INET->new(PeerAddr => $a, PeerPort => ${port}, Proto => "tcp", Timeout => 2) and last }
unless ($s) { say_("-"); exit 0 }
binmode $s;
my $rest = "";
sub need { my $n = shift; while (length($rest) < $n) { my $r = sysread($s, my $b, 65536); die "the server closed the connection\\n" unless $r; $rest .= $b } my $o = substr($rest, 0, $n); $rest = substr($rest, $n); return $o }
sub frame { my ($op, $data) = @_; my $len = length($data); my $mask = pack("N", int(rand(4294967295)));
  my $head = $len < 126 ? pack("CC", 0x80 | $op, 0x80 | $len) : $len < 65536 ? pack("CCn", 0x80 | $op, 0xFE, $len) : pack("CCNN", 0x80 | $op, 0xFF, 0, $len);
  my $masked = $data ^ substr($mask x (int($len / 4) + 1), 0, $len); return $head . $mask . $masked }
eval {
  print $s "GET / HTTP/1.1\\r\\nHost: 127.0.0.1:${port}\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: c3Rha2Ugb2JzZXJ2ZXI6KQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n";
  my $head = "";
  until ($head =~ /\\r\\n\\r\\n/) { $head .= need(1); die "the handshake's answer is too long\\n" if length($head) > 8192 }
  unless ($head =~ m{^HTTP/1\\.1 101 }) { say_("refused", unpack("H*", substr($head, 0, 200))); exit 0 }
  print $s frame(1, $_) for @messages;
  for my $i (1 .. scalar @messages) {
    my $payload = "";
    while (1) {
      my ($b0, $b1) = unpack("CC", need(2));
      die "the server masked its frame\\n" if $b1 & 0x80;
      my $len = $b1 & 0x7F;
      if ($len == 126) { $len = unpack("n", need(2)) } elsif ($len == 127) { my ($hi, $lo) = unpack("NN", need(8)); die "an answer too large\\n" if $hi; $len = $lo }
      die "an answer too large\\n" if $len + length($payload) > ${MAX_WS_ANSWER_BYTES};
      my $data = need($len);
      my $op = $b0 & 0x0F;
      if ($op == 8) { say_("closed", unpack("H*", substr($data, 0, 300))); exit 0 }
      if ($op == 9) { print $s frame(10, $data); next }
      next if $op == 10;
      $payload .= $data;
      last if $b0 & 0x80;
    }
    say_($i, unpack("H*", $payload));
  }
  print $s frame(8, pack("n", 1000));
  1;
} or say_("error", unpack("H*", substr($@ || "failed", 0, 300)));
`;
  return `perl -e '${program.replaceAll("'", `'\\''`)}'\n`;
}

const HEX = /^(?:[0-9a-f]{2})*$/;
const text = (hex: string | undefined, limit: number) =>
  hex !== undefined && HEX.test(hex) && hex.length <= limit * 2 ? Buffer.from(hex, 'hex').toString('utf8') : undefined;
/** What a host said about itself: printable, short, one line. */
const words = (hex: string | undefined) =>
  (text(hex, 300) ?? 'something unreadable')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 200);

/**
 * The script's output read back: every answer in order, or what went wrong. Anything that is not
 * the script's own line, an answer out of order, or one of the wrong size, is an error.
 */
export function parseWsConversation(output: string, count: number): WsConversation {
  const answers: string[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('=== ws\t')) continue;
    const [what, hex] = line.slice('=== ws\t'.length).split('\t');
    if (what === '-') return { error: 'nothing listens on the port' };
    if (what === 'refused') return { error: `the server refused the WebSocket: ${words(hex)}` };
    if (what === 'closed') return { error: `the server closed the WebSocket after ${answers.length} answers` };
    if (what === 'error') return { error: `${words(hex)} (after ${answers.length} answers)` };
    if (what !== String(answers.length + 1)) return { error: 'the answers came out of order' };
    const answer = text(hex, MAX_WS_ANSWER_BYTES);
    if (answer === undefined) return { error: `answer ${what} is not what the script prints` };
    answers.push(answer);
  }
  if (answers.length !== count) return { error: `${answers.length} answers of ${count}` };
  return { answers };
}
