/** The failover plan the failover unit tests judge, approve and sign, and an expiry ten minutes ahead. */
import type { FailoverPlan } from '../../src/failover/plan.js';

export const plan: FailoverPlan = {
  deployment: 'cosmoshub-prod',
  family: 'cosmos',
  identity: 'cosmoshub',
  from: 'val-fra',
  to: 'val-waw',
  generation: 3,
  oldHostDead: false,
  safetyWindow: 20,
  connections: [
    'bastion-fra address=198.51.100.10 port=22 user=stake become=sudo jump=- host-keys=SHA256:bastion',
    'val-fra address=10.1.0.10 port=22 user=stake become=sudo jump=bastion-fra host-keys=SHA256:valfra',
    'val-waw address=10.2.0.10 port=22 user=stake become=sudo jump=bastion-fra host-keys=SHA256:valwaw',
    'witness-ams address=10.3.0.10 port=22 user=stake become=sudo jump=bastion-fra host-keys=SHA256:witness',
  ],
};

/** A signing time a minute ago. */
export const signedAt = new Date(Math.floor((Date.now() - 60_000) / 1000) * 1000).toISOString();

export const future = new Date(Date.now() + 600_000).toISOString();
