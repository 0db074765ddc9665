import type { Rule } from './context.js';
import { checkAddresses, checkPorts, checkPublic, checkTierClients } from './hosts.js';
import { checkDoubleActive, checkFailoverShape, checkRoleTiers, checkUpstream } from './identities.js';
import {
  checkApprovalPolicy,
  checkClientDiversity,
  checkClientPins,
  checkOperatorKeys,
  checkOperators,
} from './people.js';
import { checkAddressSpelling, checkAdminCidrs } from './networks.js';
import { checkJumpCycles, checkReferences } from './references.js';
import { checkSignerCompatibility, checkSigners } from './signers.js';

/** Every topology rule, run in this order on a schema-valid inventory. */
export const ALL_RULES: readonly Rule[] = [
  checkReferences,
  checkJumpCycles,
  checkAddresses,
  checkAddressSpelling,
  checkAdminCidrs,
  checkTierClients,
  checkPublic,
  checkPorts,
  checkRoleTiers,
  checkDoubleActive,
  checkFailoverShape,
  checkUpstream,
  checkSigners,
  checkSignerCompatibility,
  checkClientDiversity,
  checkOperators,
  checkOperatorKeys,
  checkClientPins,
  checkApprovalPolicy,
];

export { RULES, type RuleId } from './registry.js';
