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
};

export const future = new Date(Date.now() + 600_000).toISOString();
