/**
 * A Cardano operational certificate (`node.cert`, a text envelope around CBOR): the issue counter
 * is what failover carries. The chain rejects blocks whose certificate counter is below the
 * highest it has seen for the pool, so a standby must never activate with an older certificate
 * than the one the old host forged with.
 *
 * CBOR shape (cardano-cli's OperationalCertificate): [[hot_vkey: bytes(32), counter: uint,
 * kes_period: uint, sigma: bytes(64)], cold_vkey: bytes(32)]. Pure.
 */
export class OpcertError extends Error {}

export interface Opcert {
  counter: number;
  kesPeriod: number;
  /** The hot (KES) verification key the certificate signs for, as hex: which KES key it goes with. */
  hotVkey: string;
  /** The cold verification key that signed it, as hex: the pool's (its id is this key's blake2b-224). */
  coldVkey: string;
}

/** Reads one CBOR head: major type and argument; returns the offset after it. */
function head(bytes: Buffer, at: number): { major: number; value: number; next: number } {
  if (at >= bytes.length) throw new OpcertError('the certificate ends early');
  const first = bytes[at]!;
  const major = first >> 5;
  const info = first & 31;
  if (info < 24) return { major, value: info, next: at + 1 };
  const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
  if (!size || at + 1 + size > bytes.length)
    throw new OpcertError('the certificate holds an unsupported or truncated CBOR value');
  const value = size === 8 ? Number(bytes.readBigUInt64BE(at + 1)) : bytes.readUIntBE(at + 1, size);
  return { major, value, next: at + 1 + size };
}

function expect(bytes: Buffer, at: number, major: number, what: string): { value: number; next: number } {
  const h = head(bytes, at);
  if (h.major !== major) throw new OpcertError(`expected ${what} in the certificate`);
  return h;
}

export function parseOpcert(text: string): Opcert {
  let envelope: { type?: string; cborHex?: string };
  try {
    envelope = JSON.parse(text) as typeof envelope;
  } catch {
    throw new OpcertError('node.cert is not a JSON text envelope');
  }
  if (envelope.type !== 'NodeOperationalCertificate')
    throw new OpcertError(`node.cert has type ${JSON.stringify(envelope.type)}, not NodeOperationalCertificate`);
  if (typeof envelope.cborHex !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(envelope.cborHex))
    throw new OpcertError('node.cert has no cborHex');
  const bytes = Buffer.from(envelope.cborHex, 'hex');
  let at = expect(bytes, 0, 4, 'an array').next;
  const inner = expect(bytes, at, 4, 'the certificate body');
  if (inner.value !== 4) throw new OpcertError('the certificate body is not four fields');
  at = inner.next;
  const hot = expect(bytes, at, 2, 'the hot verification key');
  if (hot.value !== 32 || hot.next + 32 > bytes.length)
    throw new OpcertError('the hot verification key is not 32 bytes');
  const hotVkey = bytes.subarray(hot.next, hot.next + 32).toString('hex');
  at = hot.next + hot.value;
  const counter = expect(bytes, at, 0, 'the issue counter');
  const kes = expect(bytes, counter.next, 0, 'the KES period');
  const sigma = expect(bytes, kes.next, 2, 'the cold key signature');
  if (sigma.value !== 64 || sigma.next + 64 > bytes.length)
    throw new OpcertError('the cold key signature is not 64 bytes');
  const cold = expect(bytes, sigma.next + 64, 2, 'the cold verification key');
  if (cold.value !== 32 || cold.next + 32 > bytes.length)
    throw new OpcertError('the cold verification key is not 32 bytes');
  const coldVkey = bytes.subarray(cold.next, cold.next + 32).toString('hex');
  return { counter: counter.value, kesPeriod: kes.value, hotVkey, coldVkey };
}

/** A CBOR unsigned integer. */
function uint(n: number): Buffer {
  if (n < 24) return Buffer.from([n]);
  if (n < 256) return Buffer.from([24, n]);
  if (n < 65536) return Buffer.from([25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The CBOR of a certificate with these fields (the lab makes its throwaway certificates with it). */
export function opcertCbor(
  hotVkey: Buffer,
  counter: number,
  kesPeriod: number,
  sigma: Buffer,
  coldVkey: Buffer,
): string {
  return Buffer.concat([
    Buffer.from([0x82, 0x84, 0x58, 32]),
    hotVkey,
    uint(counter),
    uint(kesPeriod),
    Buffer.from([0x58, 64]),
    sigma,
    Buffer.from([0x58, 32]),
    coldVkey,
  ]).toString('hex');
}
