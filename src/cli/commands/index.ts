/**
 * Every command of `stake`, in the order `--help` lists them, each parent before its commands.
 * A command's module is imported only when it runs (see `load` in each entry).
 */
import type { Entry } from '../spec.js';
import { DEPLOY_COMMANDS } from './deploy.js';
import { FAILOVER_COMMANDS } from './failover.js';
import { FIREWALL_COMMANDS, INVENTORY_COMMANDS } from './inventory.js';
import { KEYS_COMMANDS } from './keys.js';
import { LAB_COMMANDS } from './lab.js';
import { PROTECTION_COMMANDS } from './protection.js';

export const COMMANDS: readonly Entry[] = [
  ...INVENTORY_COMMANDS, // validate, hosts, render, graph
  ...DEPLOY_COMMANDS, // plan, deploy, trust, status
  ...LAB_COMMANDS,
  ...PROTECTION_COMMANDS,
  ...FAILOVER_COMMANDS, // failover, failover approve, drill failover
  ...KEYS_COMMANDS,
  ...FIREWALL_COMMANDS,
];
