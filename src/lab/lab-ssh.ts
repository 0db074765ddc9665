/** `stake lab ssh`: the ssh command line that reaches a lab host as the lab inventory does. */
import { userInfo } from 'node:os';
import { labPaths } from './layout.js';
import { DEPLOY_USER } from './rootfs.js';
import { hostModeOf, readLabState } from './state.js';

/** ssh's arguments for a shell (a terminal when `tty`) or a command on the lab host `name`. */
export function sshArguments(dir: string, name: string, command: readonly string[], tty: boolean): string[] {
  const paths = labPaths(dir);
  const state = readLabState(paths.state);
  if (!state) throw new Error(`no lab in ${dir}`);
  const host = state.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name} in the lab (${state.hosts.map((h) => h.name).join(', ')})`);
  const user = hostModeOf(state) === 'systemd' ? DEPLOY_USER : userInfo().username;
  return [
    '-i',
    paths.clientKey,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${paths.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(host.sshPort),
    ...(command.length === 0 && tty ? ['-t'] : []),
    `${user}@${state.addressing.hosts[name]!.address}`,
    // as ssh itself: the words joined by spaces for the remote shell (`-- 'a; b'` runs both)
    ...(command.length ? ['--', command.join(' ')] : []),
  ];
}
