/** The status report as one screen: hosts, identities, then what is red and what is yellow. */
import type { ChalkInstance } from 'chalk';
import { formatTable } from '../output/table.js';
import type { HostStatus, IdentityStatus, StatusReport } from './report.js';

const dash = (v: unknown) => (v === undefined || v === '' ? '-' : String(v));

function servicesCell(h: HostStatus): string {
  if (!h.reachable) return '-';
  if (h.services.length === 0) return '-';
  return h.services
    .map((s) => (s.state === 'active' ? `${s.name} up` : `${s.name} ${s.state === 'missing' ? 'missing' : 'down'}`))
    .join(', ');
}

function hostRow(h: HostStatus): string[] {
  return [
    h.host,
    h.tier,
    h.dc,
    h.reachable ? 'ok' : 'UNREACHABLE',
    servicesCell(h),
    h.client ? `${h.client} ${dash(h.version)}` : '-',
    dash(h.height),
    h.reachable && h.client ? h.sync : '-',
    dash(h.peers),
    h.reachable ? (h.drift.length ? `${h.drift.length} file${h.drift.length === 1 ? '' : 's'}` : 'none') : '-',
  ];
}

function identityRow(i: IdentityStatus): string[] {
  return [
    i.identity,
    i.live
      ? `${i.live}${i.verdict === 'stale' ? ' (inventory stale)' : i.verdict === 'first' ? ' (not deployed)' : ''}`
      : 'UNKNOWN',
    dash(i.generation),
    i.lastSigned !== undefined ? `${i.lastSigned}${i.lastSigner ? ` by ${i.lastSigner}` : ''}` : '-',
    i.missed ? `${i.missed.heights} of ${i.missed.to - i.missed.from + 1}` : '-',
    i.rogueSigners.length ? `ALSO ${i.rogueSigners.join(', ')}` : 'none',
    dash(i.witnessCopy),
  ];
}

/** Colours a finished table line by line: red for a row with an alarm, yellow for one with a warning. */
function paint(lines: string[], rows: { red: boolean; yellow: boolean }[], style: ChalkInstance): string[] {
  return lines.map((line, i) => {
    if (i === 0) return style.bold(line);
    const r = rows[i - 1]!;
    return r.red ? style.red(line) : r.yellow ? style.yellow(line) : line;
  });
}

export function formatStatus(report: StatusReport, style: ChalkInstance, tookMs?: number): string {
  const out: string[] = [];
  const when = report.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const chain = report.chain
    ? ` · ${report.chain.what} at height ${report.chain.head}, ${report.chain.doubleSigns} double sign${report.chain.doubleSigns === 1 ? '' : 's'}`
    : '';
  out.push(
    style.bold(
      `${report.deployment} (${report.family}) at ${when}${chain}${tookMs !== undefined ? ` · ${report.hosts.length} hosts in ${(tookMs / 1000).toFixed(1)} s` : ''}`,
    ),
    '',
  );

  const hostRows = report.hosts.map(hostRow);
  const hostMarks = report.hosts.map((h) => ({
    red: !h.reachable,
    yellow: report.warnings.some((w) => w.startsWith(`${h.host}: `)),
  }));
  out.push(
    ...paint(
      formatTable(['HOST', 'TIER', 'DC', 'SSH', 'SERVICES', 'CLIENT', 'HEIGHT', 'SYNC', 'PEERS', 'DRIFT'], hostRows),
      hostMarks,
      style,
    ),
    '',
  );

  const idRows = report.identities.map(identityRow);
  const idMarks = report.identities.map((i) => ({ red: i.alarms.length > 0, yellow: i.warnings.length > 0 }));
  out.push(
    ...paint(
      formatTable(['IDENTITY', 'LIVE ACTIVE', 'GEN', 'LAST SIGNED', 'MISSED', 'OTHER SIGNERS', 'WITNESS COPY'], idRows),
      idMarks,
      style,
    ),
    '',
  );

  // a remote signer tier: one line per signer under the identities
  for (const i of report.identities)
    for (const s of i.signers ?? [])
      out.push(
        `${i.identity} signer ${s.host}: ${s.state}${s.serves ? `, serves ${s.serves}` : ''}${s.watermark ? `, watermark ${s.watermark}` : ''}`,
      );
  if (report.identities.some((i) => i.signers?.length)) out.push('');
  for (const a of report.alarms) out.push(style.red.bold(`✗ ${a}`));
  for (const w of report.warnings) out.push(style.yellow(`! ${w}`));
  if (report.alarms.length === 0)
    out.push(
      style.green(
        `✓ no alarms${report.warnings.length ? `; ${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}` : ''}`,
      ),
    );
  return out.join('\n');
}
