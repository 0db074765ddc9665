/** planHost, pure: facts in, actions out. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planHost } from '../../src/plan/compute.js';
import type { HostFacts } from '../../src/plan/facts.js';
import { sha256, type HostRender } from '../../src/render/host.js';

const render: HostRender = {
  host: 'h',
  files: [
    {
      path: '/etc/a.conf',
      mode: '0644',
      owner: 'root:root',
      format: 'text',
      content: 'a\n',
      restarts: ['svc'],
      template: 't',
    },
  ],
  manifest: {
    version: 1,
    host: 'h',
    deployment: 'd',
    tier: 'sentry',
    root: '/',
    init: 'direct',
    firewall: 'render',
    services: [
      {
        name: 'svc',
        description: '',
        user: 'svc',
        exec: ['x'],
        writable: [],
        after: [],
        jit: false,
        health: { tcp: 1 },
      },
    ],
    files: [],
  },
};
const deployedBefore = {
  ...render.manifest,
  files: [
    { path: '/etc/a.conf', mode: '0644', owner: 'root:root', sha256: 'x', restarts: ['svc'] },
    { path: '/etc/stake/old.conf', mode: '0644', owner: 'root:root', sha256: 'y', restarts: ['sysctl'] },
  ],
};

describe('planHost', () => {
  test('a file stake deployed last time and no longer renders is deleted, with its action', () => {
    const facts: HostFacts = {
      host: 'h',
      files: { '/etc/a.conf': { sha256: sha256('a\n'), mode: '0644', owner: 'root:root' } },
      services: { svc: 'active' },
      pending: [],
      problems: [],
      deployed: deployedBefore,
    };
    const p = planHost(render, facts);
    assert.deepEqual(
      p.files.map((f) => [f.path, f.action]),
      [
        ['/etc/a.conf', 'unchanged'],
        ['/etc/stake/old.conf', 'delete'],
      ],
    );
    assert.deepEqual(p.actions, ['sysctl']);
    assert.deepEqual(p.restart, []);
  });

  test('a deployed file already gone is not deleted again; nothing to do when all matches', () => {
    const facts: HostFacts = {
      host: 'h',
      files: {
        '/etc/a.conf': { sha256: sha256('a\n'), mode: '0644', owner: 'root:root' },
        '/etc/stake/old.conf': null,
      },
      services: { svc: 'active' },
      pending: [],
      problems: [],
      deployed: deployedBefore,
    };
    const p = planHost(render, facts);
    assert.equal(p.changes, 0);
  });

  test('a stopped service restarts even when no file changed', () => {
    const facts: HostFacts = {
      host: 'h',
      files: { '/etc/a.conf': { sha256: sha256('a\n'), mode: '0644', owner: 'root:root' } },
      services: { svc: 'inactive' },
      pending: [],
      problems: [],
    };
    assert.deepEqual(planHost(render, facts).restart, ['svc']);
  });
});
