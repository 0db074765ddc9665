/**
 * Ethereum: beacon hosts run an execution client (geth, nethermind) and a consensus client
 * (lighthouse, teku) joined by the engine API on loopback with a JWT secret; validator hosts run
 * a validator client (lighthouse, teku, vouch) pointed at ALL their upstream beacons, with
 * doppelganger protection, and at their remote signers; signer hosts run dirk or web3signer.
 */
import type { HostContext } from '../context.js';
import { renderBeacon } from './ethereum/beacon.js';
import type { Rendered } from './ethereum/common.js';
import { renderSigner } from './ethereum/signer.js';
import { renderValidatorClient } from './ethereum/validator.js';

export { CERTS, JWT_PATH } from './ethereum/common.js';

export function renderEthereum(ctx: HostContext): Rendered {
  if (ctx.host.tier === 'beacon') return renderBeacon(ctx);
  if (ctx.host.tier === 'validator') return renderValidatorClient(ctx);
  return renderSigner(ctx);
}
