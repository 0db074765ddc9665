/** What a simulated client serves on its metrics port: the real client's metric names (the client catalog's). */
import { CLIENT_METRICS } from '../../inventory/client-metrics.js';

export interface SimulatedReading {
  height?: number;
  peers?: number;
  syncing?: boolean;
  lastSigned?: number;
  validatorAddress?: string;
  /** Validators with evidence in the node's latest block. */
  doubleSignEvidence?: number;
}

/** Samples in the text format, for the lab's simulated clients: each client's own names. */
export function metricsText(client: string, values: SimulatedReading): string {
  const names = CLIENT_METRICS[client] ?? {};
  const lines: string[] = [];
  const gauge = (name: string | undefined, value: number | undefined, labels = '') => {
    if (!name || value === undefined) return;
    lines.push(`# TYPE ${name} gauge`, `${name}${labels} ${value}`);
  };
  gauge(names.height, values.height);
  gauge(names.peers, values.peers);
  gauge(names.syncing, values.syncing === undefined ? undefined : values.syncing ? 1 : 0);
  gauge(names.synced, values.syncing === undefined ? undefined : values.syncing ? 0 : 1);
  gauge(
    names.lastSigned,
    values.lastSigned ?? 0,
    values.validatorAddress ? `{validator_address="${values.validatorAddress}"}` : '',
  );
  gauge(names.doubleSignEvidence, values.doubleSignEvidence);
  return `${lines.join('\n')}\n`;
}
