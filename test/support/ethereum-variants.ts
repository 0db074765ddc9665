/**
 * The ethereum example with the validator clients and signers it does not use, so that the
 * templates the example leaves out are rendered too: teku and lighthouse validator clients with
 * local keys (no Dirk group), and teku with web3signer.
 */
import { InventoryBuilder } from './inventory-builder.js';

/** vc-fra runs teku, vc-lon lighthouse; no signer group. */
export function withLocalKeyClients(): string {
  return InventoryBuilder.example('ethereum')
    .setHost('vc-fra', { client: 'teku' })
    .setHost('vc-lon', { client: 'lighthouse' })
    .setSigner('mainnet-pool', undefined)
    .removeHost('signer-fra')
    .removeHost('signer-lon')
    .removeHost('signer-ams')
    .text();
}

/** Both validator clients teku, signing through one web3signer (signer-ams). */
export function withWeb3signer(): string {
  return InventoryBuilder.example('ethereum')
    .setHost('vc-fra', { client: 'teku' })
    .setHost('vc-lon', { client: 'teku' })
    .setSigner('mainnet-pool', { client: 'web3signer', hosts: ['signer-ams'] })
    .removeHost('signer-fra')
    .removeHost('signer-lon')
    .setHost('signer-ams', { client: 'web3signer' })
    .setClient('web3signer', { version: '24.6.0' })
    .text();
}
