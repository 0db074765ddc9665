/** `stake keys`: push, status. */
import { many, value } from '../options.js';
import { defineCommand, defineGroup, type Entry } from '../spec.js';

const load = () => import('../../commands/keys.js');

export const KEYS_COMMANDS: Entry[] = [
  defineGroup({
    name: 'keys',
    summary: 'signing keys: place them from an offline export, see where they are',
    description:
      "Signing keys never enter the inventory. `keys push` places an identity's key: active on the live active host, sealed on each standby; `keys status` shows where keys are (never their content).",
  }),

  defineCommand({
    name: 'push',
    parent: 'keys',
    arguments: [{ name: '<identity>', help: 'the signing identity' }],
    summary: "place an identity's key: active on the live active host, sealed on the standbys",
    description:
      "Place an identity's key files from an offline export: at the client's path on the live active host (from the generation, not the file), and sealed (mode 0400, where the client never reads them) on each standby. A different key already in place is refused (exit 4), never replaced.\n\nExample: stake keys push cosmoshub --file /media/offline/priv_validator_key.json",
    options: {
      file: many(
        '--file <file>',
        'a key file (repeat for each: cosmos priv_validator_key.json; ethereum client.crt, client.key; cardano kes.skey, vrf.skey, node.cert)',
      ),
      dir: value('--dir <dir>', 'a folder holding the key files by those names'),
    },
    load,
    run: ({ keysPushCommand }, opts, [identity = ''], t) =>
      keysPushCommand(
        { inventory: opts.inventory, identity, files: opts.file, ...(opts.dir ? { dir: opts.dir } : {}) },
        t,
      ),
  }),

  defineCommand({
    name: 'status',
    parent: 'keys',
    summary: "where each identity's key is active, sealed or missing",
    description:
      'For each identity and validator host: the key active, sealed, both or missing, and the live active host; an active key on any other host is an alarm (exit 1).\n\nExample: stake keys status --json',
    options: {},
    load,
    run: ({ keysStatusCommand }, opts, _args, t) => keysStatusCommand({ inventory: opts.inventory }, t),
  }),
];
