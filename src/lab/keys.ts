/**
 * The lab's throwaway signing keys, made fresh by every `lab up` and placed as `stake keys push`
 * would (the failover protocol (docs/failover.md)): active at the client's path on the active host, sealed on
 * each standby. They sign nothing of value and never leave the lab folder.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { opcertCbor } from '../chain/cardano-opcert.js';
import { issueCertificate, labCertificateAuthority, type PemPair } from './certs.js';
import type { ResolvedIdentity, ResolvedInventory } from '../inventory/resolve.js';
import {
  dirkPassphraseFile,
  dirkServerCertFiles,
  dirkShareFile,
  SIGNER_CA_CERT,
  initialSignState,
  sealedPath,
  validatorKeyFiles,
  type KeyFile,
} from '../keys/layout.js';
import type { LabIdentityRecord } from './state.js';
import { tmkmsKeyPath } from '../render/clients/cosmos-signer.js';

/** A CometBFT priv_validator_key.json (ed25519; address = first 20 bytes of sha256(pubkey), upper hex). */
export function cometbftKey(): { text: string; address: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(jwk.d!, 'base64url');
  const address = createHash('sha256').update(pub).digest().subarray(0, 20).toString('hex').toUpperCase();
  const text = `${JSON.stringify(
    {
      address,
      pub_key: { type: 'tendermint/PubKeyEd25519', value: pub.toString('base64') },
      priv_key: { type: 'tendermint/PrivKeyEd25519', value: Buffer.concat([seed, pub]).toString('base64') },
    },
    null,
    2,
  )}\n`;
  return { text, address };
}

/** A cardano text envelope with random bytes: the lab's simulated node only checks it is there. */
const envelope = (type: string, description: string) =>
  `${JSON.stringify({ type, description, cborHex: `5840${randomBytes(64).toString('hex')}` }, null, 4)}\n`;

/** A key file the lab placed on a host: where, and the first folder made for it (if any was). */
export interface PlacedKey {
  host: string;
  path: string;
  /** The shallowest folder of the path that the lab made, as the host sees it. */
  madeFrom?: string;
  /** Sealed material stays root's; active material is the client's to read. */
  sealed: boolean;
}

function writeKey(root: string, path: string, text: string, mode: number): string | undefined {
  const full = join(root, path);
  const made = mkdirSync(dirname(full), { recursive: true, mode: 0o700 });
  writeFileSync(full, text, { mode });
  chmodSync(full, mode);
  return made === undefined ? undefined : `/${made.slice(root.replace(/\/$/, '').length).replace(/^\//, '')}`;
}

/** The key material of one identity's validator hosts, by file name. */
function validatorMaterial(
  inv: ResolvedInventory,
  id: ResolvedIdentity,
  ca: PemPair | undefined,
): { files: Map<string, string>; record: Partial<LabIdentityRecord> } {
  const files = new Map<string, string>();
  switch (inv.family) {
    case 'cosmos': {
      const key = cometbftKey();
      files.set('priv_validator_key.json', key.text);
      const publicKey = (JSON.parse(key.text) as { pub_key: { value: string } }).pub_key.value;
      return { files, record: { keyAddress: key.address, keyPublic: publicKey } };
    }
    case 'ethereum': {
      // the validator client's access to its signers: one certificate that moves with the
      // identity, issued to the host active at lab up (stake's Dirk permissions grant every
      // validator host of the identity by name, so either may present it)
      if (!ca) throw new Error(`${id.name} has no signer group: the lab signs ethereum only through dirk`);
      const access = issueCertificate(ca, id.active.name);
      files.set('client.key', access.key);
      files.set('client.crt', access.cert);
      return { files, record: {} };
    }
    case 'cardano': {
      // the pool's cold key stays offline (it is in no host's files); its verification key is in
      // the certificate, and names the pool: its id is the key's blake2b-224
      const coldKey = randomBytes(32);
      files.set('kes.skey', envelope('KesSigningKey_ed25519_kes_2^6', 'KES Signing Key (stake lab)'));
      files.set('vrf.skey', envelope('VrfSigningKey_PraosVRF', 'VRF Signing Key (stake lab)'));
      files.set(
        'node.cert',
        `${JSON.stringify({ type: 'NodeOperationalCertificate', description: '', cborHex: opcertCbor(randomBytes(32), 0, 0, randomBytes(64), coldKey) }, null, 4)}\n`,
      );
      return { files, record: { coldVerificationKey: coldKey.toString('hex') } };
    }
  }
}

type Place = (host: string, path: string, text: string, mode: number, sealed: boolean) => void;

/**
 * ethereum with dirk: the lab's certificate authority (its key kept with the offline export),
 * its certificate on every validator and signer host (public: what each checks the other side
 * against), and each signer's own certificate and key, naming the addresses it is dialled at.
 */
function placeSignerCertificates(
  inv: ResolvedInventory,
  keysDir: string,
  place: Place,
  addressesOf: (host: string) => readonly string[],
): PemPair | undefined {
  const signers = [...new Map(inv.identities.flatMap((id) => id.signer?.hosts ?? []).map((h) => [h.name, h])).values()];
  if (inv.family !== 'ethereum' || signers.length === 0) return undefined;
  const ca = labCertificateAuthority(`stake lab ${inv.name} signers CA`);
  writeKey(keysDir, 'signers-ca.key', ca.key, 0o600);
  writeKey(keysDir, 'signers-ca.crt', ca.cert, 0o644);
  const validators = new Set(inv.identities.flatMap((id) => [id.active.name, ...id.standby.map((h) => h.name)]));
  for (const host of new Set([...validators, ...signers.map((h) => h.name)]))
    place(host, SIGNER_CA_CERT, ca.cert, 0o644, false);
  for (const s of signers) {
    const own = issueCertificate(ca, s.name, [s.name, ...addressesOf(s.name)]);
    const [cert, key] = dirkServerCertFiles;
    place(s.name, cert!.path, own.cert, 0o644, false);
    place(s.name, key!.path, own.key, 0o600, false);
  }
  return ca;
}

/** The lab's own validators' indices start here (below are the network's others). */
export const LAB_FIRST_VALIDATOR_INDEX = 1000;

/**
 * Makes each identity's keys, keeps a copy under keysDir (the operator's offline export), and
 * places them on the hosts by their roots. Returns what the lab records of each identity.
 */
export function placeLabKeys(
  inv: ResolvedInventory,
  rootOf: (host: string) => string,
  keysDir: string,
  placed: (key: PlacedKey) => void,
  /** Every address a host is reached at: a signer's certificate names them. */
  addressesOf: (host: string) => readonly string[],
): LabIdentityRecord[] {
  const place = (host: string, path: string, text: string, mode: number, sealed: boolean) => {
    const madeFrom = writeKey(rootOf(host), path, text, mode);
    placed({ host, path, sealed, ...(madeFrom ? { madeFrom } : {}) });
  };
  const ca = placeSignerCertificates(inv, keysDir, place, addressesOf);
  return inv.identities.map((id, position) => {
    const { files, record } = validatorMaterial(inv, id, ca);
    if (inv.family === 'cosmos' && id.signer) {
      // the key never touches a validator: the signer holds it (docs/signers.md)
      if (id.signer.client !== 'tmkms')
        throw new Error(`${id.name} signs through ${id.signer.client}: the lab simulates tmkms only (horcrux is next)`);
      const text = files.get('priv_validator_key.json')!;
      writeKey(keysDir, join(id.name, 'priv_validator_key.json'), text, 0o600);
      for (const s of id.signer.hosts) place(s.name, tmkmsKeyPath(id.name), text, 0o600, false);
      return {
        name: id.name,
        members: [id.active.name, ...id.standby.map((h) => h.name)],
        ...record,
        signers: id.signer.hosts.map((h) => h.name),
        threshold: id.signer.threshold,
      };
    }
    const layout: KeyFile[] = validatorKeyFiles(inv.family);
    for (const key of layout) {
      const text = files.get(key.name)!;
      writeKey(keysDir, join(id.name, key.name), text, 0o600);
      place(id.active.name, key.path, text, 0o600, false);
      for (const standby of id.standby) place(standby.name, sealedPath(id.name, key), text, 0o400, true);
    }
    // as stake keys push does beside the key it places: the state the client's init writes
    const initial = initialSignState(inv.family);
    if (initial) place(id.active.name, initial.path, initial.content, 0o600, false);
    const signers = id.signer?.hosts ?? [];
    const pubkey = `0x${randomBytes(48).toString('hex')}`; // the group's public key: one per identity
    signers.forEach((s, i) => {
      const share = dirkShareFile(id.name);
      // the share is locked by a passphrase placed beside it (the lab's stand-in for a keystore's
      // encryption: the share records the passphrase's hash), as dirk's unlocker must find it
      const passphrase = randomBytes(24).toString('base64url');
      const locked = createHash('sha256').update(passphrase).digest('hex');
      const text = `${JSON.stringify({ account: id.name, pubkey, participant: i + 1, threshold: id.signer!.threshold, share: randomBytes(32).toString('hex'), locked }, null, 2)}\n`;
      place(s.name, share.path, text, 0o600, false);
      place(s.name, dirkPassphraseFile(id.name).path, passphrase, 0o400, false);
    });
    return {
      name: id.name,
      members: [id.active.name, ...id.standby.map((h) => h.name)],
      ...record,
      ...(id.signer ? { signers: signers.map((s) => s.name), threshold: id.signer.threshold } : {}),
      // ethereum: the identity is one validator of the lab's beacon chain, with the group's key
      ...(inv.family === 'ethereum'
        ? { validatorIndex: LAB_FIRST_VALIDATOR_INDEX + position, validatorPubkey: pubkey }
        : {}),
    };
  });
}
