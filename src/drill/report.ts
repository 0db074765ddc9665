/**
 * A drill's report, three ways from one record: JSON (the record), Markdown (for the change
 * ticket), and one self-contained HTML page with a timeline per round drawn in inline SVG (no
 * script, no external file: it opens anywhere and can be attached as is). Pure.
 */
import type { RoundRecord } from './timeline.js';

export interface DrillReport {
  version: 1;
  deployment: string;
  identity: string;
  family: string;
  inventory: string;
  operators: string[];
  startedAt: string;
  endedAt: string;
  objectiveMs: number;
  rounds: RoundRecord[];
  summary: {
    rounds: number;
    passed: number;
    failed: number;
    medianMs: number;
    maxMs: number;
    maxGapHeights: number;
    doubleSigns: number;
  };
  /** Where the signatures came from, or why none were judged. */
  observer: string;
  passed: boolean;
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : 0);

export function summarize(rounds: RoundRecord[]): DrillReport['summary'] {
  const ms = rounds.map((r) => r.durationMs);
  return {
    rounds: rounds.length,
    passed: rounds.filter((r) => r.failures.length === 0).length,
    failed: rounds.filter((r) => r.failures.length > 0).length,
    medianMs: median(ms),
    maxMs: ms.length ? Math.max(...ms) : 0,
    maxGapHeights: Math.max(0, ...rounds.map((r) => r.gapHeights ?? 0)),
    doubleSigns: rounds.reduce((n, r) => n + r.doubleSigned.length, 0),
  };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function markdownReport(r: DrillReport): string {
  const lines = [
    `# Failover drill: ${r.identity} (${r.deployment})`,
    '',
    `**${r.passed ? 'PASSED' : 'FAILED'}**: ${r.summary.passed} of ${r.summary.rounds} rounds passed; median ${s(r.summary.medianMs)}, slowest ${s(r.summary.maxMs)} (objective ${s(r.objectiveMs)}); largest signing gap ${r.summary.maxGapHeights} heights; ${r.summary.doubleSigns} double signs.`,
    '',
    `- inventory: \`${r.inventory}\` (${r.family})`,
    `- approvals signed by: ${r.operators.join(' and ')}`,
    `- from ${r.startedAt} to ${r.endedAt}`,
    `- signatures: ${r.observer}`,
    '',
    '| round | from → to | result | took | signing gap | last old / first new | double signs |',
    '|---|---|---|---|---|---|---|',
    ...r.rounds.map(
      (x) =>
        `| ${x.round} | ${x.from} → ${x.to} | ${x.failures.length ? `FAILED: ${x.failures.join('; ')}` : x.result} | ${s(x.durationMs)} | ${x.gapHeights !== undefined ? `${x.gapHeights} heights (${s(x.gapMs ?? 0)})` : '-'} | ${x.lastOld ?? '-'} / ${x.firstNew ?? '-'} | ${x.doubleSigned.length} |`,
    ),
    '',
  ];
  for (const x of r.rounds) {
    lines.push(
      `## Round ${x.round}: ${x.from} → ${x.to}`,
      '',
      '| step | from | to | took | |',
      '|---|---|---|---|---|',
    );
    for (const st of x.steps)
      lines.push(
        `| ${st.step} | +${s(st.startMs)} | +${s(st.endMs)} | ${st.endMs - st.startMs} ms | ${st.ok ? '' : 'FAILED '}${(st.detail ?? '').replace(/\|/g, '\\|')} |`,
      );
    lines.push(
      '',
      `Heights signed: ${
        Object.entries(x.signed)
          .map(
            ([h, list]) =>
              `${h} ${list.length ? `${list[0]![0]}..${list[list.length - 1]![0]}` : '-'} (${list.length})`,
          )
          .join('; ') || 'none seen'
      }.`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Host colours (red is kept for double signs); hosts sorted by name, so a host keeps its colour in every round. */
const HOST_COLOURS = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/** One round as an SVG: step bars on top, then a row of signed heights per host, the gap shaded. */
export function roundSvg(x: RoundRecord): string {
  const width = 960;
  const left = 110;
  const right = 20;
  const stepRow = 18;
  const hostRow = 26;
  const hosts = [...new Set([x.from, x.to, ...Object.keys(x.signed)])].sort();
  const times = [
    0,
    x.durationMs,
    ...Object.values(x.signed).flatMap((l) => l.map(([, ms]) => ms)),
    ...x.steps.map((st) => st.endMs),
  ];
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1000);
  const X = (ms: number) => left + ((ms - t0) / (t1 - t0)) * (width - left - right);
  const top = 10;
  const stepsH = x.steps.length * stepRow;
  const hostsTop = top + stepsH + 16;
  const height = hostsTop + hosts.length * hostRow + 34;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="round ${x.round} timeline">`,
  ];
  // the signing gap: from the old host's last signature to the new host's first
  const lastOldMs = x.lastOld !== undefined ? x.signed[x.from]?.find(([h]) => h === x.lastOld)?.[1] : undefined;
  const firstNewMs = x.firstNew !== undefined ? x.signed[x.to]?.find(([h]) => h === x.firstNew)?.[1] : undefined;
  if (lastOldMs !== undefined && firstNewMs !== undefined) {
    parts.push(
      `<rect x="${X(lastOldMs).toFixed(1)}" y="${top}" width="${Math.max(1, X(firstNewMs) - X(lastOldMs)).toFixed(1)}" height="${height - top - 24}" fill="#fde68a" opacity="0.6"><title>signing gap: ${x.gapHeights} heights, ${s(x.gapMs ?? 0)}</title></rect>`,
    );
    parts.push(
      `<text x="${((X(lastOldMs) + X(firstNewMs)) / 2).toFixed(1)}" y="${height - 28}" font-size="11" text-anchor="middle" fill="#92400e">signing gap ${x.gapHeights} heights, ${s(x.gapMs ?? 0)}</text>`,
    );
  }
  x.steps.forEach((st, i) => {
    const y = top + i * stepRow;
    parts.push(`<text x="${left - 6}" y="${y + 12}" font-size="11" text-anchor="end">${esc(st.step)}</text>`);
    parts.push(
      `<rect x="${X(st.startMs).toFixed(1)}" y="${y + 2}" width="${Math.max(2, X(st.endMs) - X(st.startMs)).toFixed(1)}" height="${stepRow - 5}" fill="${st.ok ? '#64748b' : '#dc2626'}"><title>${esc(`${st.step}: ${st.endMs - st.startMs} ms ${st.detail ?? ''}`)}</title></rect>`,
    );
  });
  hosts.forEach((h, i) => {
    const y = hostsTop + i * hostRow;
    const colour = HOST_COLOURS[i % HOST_COLOURS.length]!;
    parts.push(
      `<text x="${left - 6}" y="${y + 15}" font-size="11" text-anchor="end" fill="${colour}">${esc(h)}</text>`,
    );
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y + 11}" y2="${y + 11}" stroke="#e5e7eb"/>`);
    for (const [height, ms] of x.signed[h] ?? []) {
      const double = x.doubleSigned.includes(height);
      parts.push(
        `<circle cx="${X(ms).toFixed(1)}" cy="${y + 11}" r="${double ? 6 : 3.5}" fill="${double ? '#dc2626' : colour}"><title>height ${height} signed by ${esc(h)}${double ? ' (DOUBLE SIGN)' : ''}</title></circle>`,
      );
    }
  });
  const axisY = height - 18;
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${axisY}" y2="${axisY}" stroke="#9ca3af"/>`);
  const step = Math.max(1000, Math.ceil((t1 - t0) / 10 / 1000) * 1000);
  for (let ms = Math.ceil(t0 / step) * step; ms <= t1; ms += step) {
    parts.push(
      `<line x1="${X(ms).toFixed(1)}" x2="${X(ms).toFixed(1)}" y1="${axisY}" y2="${axisY + 4}" stroke="#9ca3af"/><text x="${X(ms).toFixed(1)}" y="${axisY + 14}" font-size="10" text-anchor="middle">${ms >= 0 ? '+' : ''}${(ms / 1000).toFixed(0)} s</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

export function htmlReport(r: DrillReport): string {
  const verdict = r.passed ? '<span class="ok">PASSED</span>' : '<span class="bad">FAILED</span>';
  const rows = r.rounds
    .map(
      (x) =>
        `<tr class="${x.failures.length ? 'bad' : ''}"><td>${x.round}</td><td>${esc(x.from)} → ${esc(x.to)}</td><td>${esc(x.failures.length ? x.failures.join('; ') : x.result)}</td><td>${s(x.durationMs)}</td><td>${x.gapHeights !== undefined ? `${x.gapHeights} heights (${s(x.gapMs ?? 0)})` : '-'}</td><td>${x.doubleSigned.length}</td></tr>`,
    )
    .join('\n');
  const rounds = r.rounds
    .map(
      (x) =>
        `<section><h2>Round ${x.round}: ${esc(x.from)} → ${esc(x.to)} <small>${s(x.durationMs)}${x.failures.length ? ` · <span class="bad">${esc(x.failures.join('; '))}</span>` : ''}</small></h2>\n${roundSvg(x)}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Failover drill: ${esc(r.identity)} (${esc(r.deployment)})</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#111}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d1d5db;padding:4px 8px;text-align:left}
tr.bad td{background:#fee2e2}.ok{color:#15803d;font-weight:bold}.bad{color:#b91c1c;font-weight:bold}
small{color:#6b7280;font-weight:normal}section{margin:2em 0}svg{border:1px solid #e5e7eb;background:#fff}
</style></head><body>
<h1>Failover drill: ${esc(r.identity)} <small>${esc(r.deployment)}, ${esc(r.family)}</small></h1>
<p>${verdict}: ${r.summary.passed} of ${r.summary.rounds} rounds passed; median ${s(r.summary.medianMs)}, slowest ${s(r.summary.maxMs)} (objective ${s(r.objectiveMs)}); largest signing gap ${r.summary.maxGapHeights} heights; ${r.summary.doubleSigns} double signs.</p>
<p>Approvals signed by ${r.operators.map(esc).join(' and ')} · ${esc(r.startedAt)} to ${esc(r.endedAt)} · signatures: ${esc(r.observer)}</p>
<table><tr><th>round</th><th>from → to</th><th>result</th><th>took</th><th>signing gap</th><th>double signs</th></tr>
${rows}
</table>
<p><small>Each timeline: the failover's steps (grey; red when one failed), then each height signed, one row per host; the shaded band is the signing gap, from the old host's last signature to the new host's first. Hover for details.</small></p>
${rounds}
</body></html>
`;
}
