/** The drill report: a Markdown table, and self-contained HTML with one timeline per round. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlReport, markdownReport, summarize, type DrillReport } from '../../src/drill/report.js';
import { roundRecord } from '../../src/drill/timeline.js';
import { at, events, signatures } from '../support/drill-round.js';

test('the report: Markdown table, self-contained HTML with one timeline per round', () => {
  const rounds = [
    roundRecord({ round: 1, from: 'a', to: 'b', objectiveMs: 10_000, events, signatures, doubleSigned: [] }),
  ];
  const report: DrillReport = {
    version: 1,
    deployment: 'd',
    identity: 'hub',
    family: 'cosmos',
    inventory: 'i.yaml',
    operators: ['alice', 'bob'],
    startedAt: at(0),
    endedAt: at(5000),
    objectiveMs: 10_000,
    rounds,
    summary: summarize(rounds),
    observer: 'the lab chain',
    passed: true,
  };
  assert.match(markdownReport(report), /\| 1 \| a → b \| done \| 4\.0 s \| 7 heights \(3\.2 s\) \| 12 \/ 20 \| 0 \|/);
  const html = htmlReport(report);
  assert.equal((html.match(/<svg /g) ?? []).length, 1);
  assert.equal((html.match(/<circle /g) ?? []).length, 5, 'a dot per signature');
  assert.doesNotMatch(html, /<script|src=|href=/);
  assert.match(html, /signing gap: 7 heights/);
});
