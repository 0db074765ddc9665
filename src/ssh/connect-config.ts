/**
 * ssh2's connection settings for one target: host key algorithms in the order that asks first
 * for a key type known_hosts already trusts, timeouts and keepalives, and how to log in (a key
 * file, decrypted with its passphrase when needed, or ssh-agent).
 */
import { readFileSync } from 'node:fs';
import ssh2, { type ConnectConfig } from 'ssh2';
import type { ConnectOptions, SshTarget } from './types.js';
import { SshError } from './errors.js';
import { knownKeyTypes } from './known-hosts.js';

const { utils } = ssh2;

/** ssh2's host key algorithm names, in OpenSSH's order of preference. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

export async function connectConfig(target: SshTarget, options: ConnectOptions): Promise<ConnectConfig> {
  // Ask first for a key type we already trust for this host, as OpenSSH does (RSA signatures use ssh-rsa keys).
  const known = knownKeyTypes(options.knownHosts, target.address, target.port);
  const keyType = (algorithm: string) => (algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm);
  const serverHostKey = [
    ...HOST_KEY_ALGORITHMS.filter((a) => known.includes(keyType(a))),
    ...HOST_KEY_ALGORITHMS.filter((a) => !known.includes(keyType(a))),
  ];
  const base: ConnectConfig = {
    host: target.address,
    port: target.port,
    username: target.user,
    readyTimeout: options.connectTimeoutMs ?? 15_000,
    keepaliveInterval: options.keepaliveIntervalMs ?? 10_000,
    keepaliveCountMax: 3,
    algorithms: { serverHostKey: serverHostKey as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
  };
  if (target.identity) {
    let data: Buffer;
    try {
      data = readFileSync(target.identity);
    } catch (err) {
      throw new SshError(
        target.name,
        'auth',
        `cannot read the key ${target.identity}: ${(err as Error).message}`,
        'set ssh.identity to a readable private key, or use ssh-agent',
        err,
      );
    }
    const plain = utils.parseKey(data);
    if (!(plain instanceof Error)) return { ...base, privateKey: data };
    if (!/encrypted|passphrase/i.test(plain.message))
      throw new SshError(
        target.name,
        'auth',
        `${target.identity} is not a private key ssh2 can read: ${plain.message}`,
        'use an OpenSSH or PEM private key',
      );
    const passphrase = await options.passphrase?.(target.identity);
    if (!passphrase)
      throw new SshError(
        target.name,
        'auth',
        `${target.identity} is encrypted and no passphrase was given`,
        'set STAKE_SSH_PASSPHRASE, run on a terminal to be asked, or use ssh-agent',
      );
    const parsed = utils.parseKey(data, passphrase);
    if (parsed instanceof Error)
      throw new SshError(target.name, 'auth', `wrong passphrase for ${target.identity}`, 'check STAKE_SSH_PASSPHRASE');
    return { ...base, privateKey: data, passphrase };
  }
  const agent = process.env.SSH_AUTH_SOCK;
  if (!agent)
    throw new SshError(
      target.name,
      'auth',
      'no key to log in with: ssh.identity is not set and there is no ssh-agent ($SSH_AUTH_SOCK)',
      'set ssh.identity in the inventory, or start ssh-agent and ssh-add your key',
    );
  return { ...base, agent };
}
