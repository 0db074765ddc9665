/**
 * What `stake status` reads from a client: its own Prometheus endpoint, the one the monitor
 * scrapes, fetched on the host over SSH (the operator never needs the metrics port open). The
 * metric names per client are in the client catalog (../inventory/client-metrics.ts). Pure:
 * text in, readings out.
 */
import { CLIENT_METRICS } from '../inventory/client-metrics.js';
import { RECORD_LIMITS } from '../ssh/host-records.js';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The Prometheus text format's sample lines (comments and HTTP headers skipped). What a host
 * sends is bounded: at most RECORD_LIMITS.samples samples, a sample with more labels or a longer
 * label value than the limits is dropped (so is an over-long line), the rest ignored.
 */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  const maxLine = RECORD_LIMITS.labels * (RECORD_LIMITS.labelChars + 80) + 200;
  for (const raw of text.split('\n')) {
    if (samples.length >= RECORD_LIMITS.samples) break;
    if (raw.length > maxLine) continue;
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!m) continue;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') continue;
    const labels: Record<string, string> = Object.create(null) as Record<string, string>;
    const found = [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)];
    if (found.length > RECORD_LIMITS.labels || found.some((l) => l[2]!.length > RECORD_LIMITS.labelChars)) continue;
    for (const l of found) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels: { ...labels }, value });
  }
  return samples;
}

export interface ClientReading {
  height?: number;
  peers?: number;
  /** true: catching up; false: synced; undefined: the client does not say. */
  syncing?: boolean;
  lastSigned?: number;
}

/** The highest value of a metric (a validator's last signed height carries its address as a label). */
const highest = (samples: readonly Sample[], name: string | undefined): number | undefined => {
  if (!name) return undefined;
  const values = samples.filter((s) => s.name === name && Number.isFinite(s.value)).map((s) => s.value);
  return values.length ? Math.max(...values) : undefined;
};

export function readingOf(client: string, samples: readonly Sample[]): ClientReading {
  const names = CLIENT_METRICS[client] ?? {};
  const syncing = highest(samples, names.syncing);
  const synced = highest(samples, names.synced);
  const reading: ClientReading = {};
  const height = highest(samples, names.height);
  const peers = highest(samples, names.peers);
  const lastSigned = highest(samples, names.lastSigned);
  if (height !== undefined) reading.height = height;
  if (peers !== undefined) reading.peers = peers;
  if (syncing !== undefined) reading.syncing = syncing > 0;
  else if (synced !== undefined) reading.syncing = synced === 0;
  if (lastSigned !== undefined && lastSigned > 0) reading.lastSigned = lastSigned;
  return reading;
}
