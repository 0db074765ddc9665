/**
 * The lab's clients are as strict as the real ones (issue 9): a flag the real geth 1.14.11 lacks,
 * rendered through a template override, stops the lab's geth with geth's own words and exit code,
 * and the lab deploy's health check fails with them in its error; the host is rolled back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath } from '../../src/paths.js';
import { runStake } from '../support/helpers.js';
import { upLab, type TestLab } from '../support/lab-process.js';
import { sshdUnavailable } from '../support/sshd.js';

describe('a lab deploy fails where a real one would', { skip: sshdUnavailable() }, () => {
  let lab: TestLab;
  before(() => {
    lab = upLab('ethereum', mkdtempSync(join(tmpdir(), 'stake-lab-strict-')), ['--block-time', '200']);
    assert.equal(lab.up.code, 0, lab.up.stderr);
  });
  after(() => {
    const down = lab.down();
    assert.equal(down.code, 0, down.stdout + down.stderr);
  });

  test("a flag geth does not have: the lab's geth exits as geth does, and the deploy says so", () => {
    const templates = join(lab.dir, 'wrong-templates');
    mkdirSync(join(templates, 'geth'), { recursive: true });
    const builtin = readFileSync(projectPath('templates', 'geth', 'args.yaml.liquid'), 'utf8');
    writeFileSync(join(templates, 'geth', 'args.yaml.liquid'), `${builtin}- --http.corsdomains-typo=*\n`);
    const r = runStake(['deploy', '-i', join(lab.dir, 'inventory.yaml'), '--templates', templates], {
      timeoutMs: 180_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.notEqual(r.code, 0, out);
    assert.match(out, /geth exited/, out);
    assert.match(out, /geth: flag provided but not defined: -http\.corsdomains-typo/, out);
    assert.match(out, /beacon-fra-1: rolled-back: the health check of geth failed/, out);
    // the right templates deploy: the same lab, nothing else changed
    cpSync(projectPath('templates', 'geth', 'args.yaml.liquid'), join(templates, 'geth', 'args.yaml.liquid'));
    const good = runStake(['deploy', '-i', join(lab.dir, 'inventory.yaml'), '--templates', templates], {
      timeoutMs: 180_000,
    });
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.ok(existsSync(join(lab.dir, 'inventory.yaml')));
  });
});
