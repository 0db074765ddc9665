/** The options every command takes, declared on `stake` itself. */
import { DEFAULT_INVENTORY } from '../defaults.js';
import { flag, negatable, repeats, valueOr } from './options.js';

export const GLOBAL_OPTIONS = {
  inventory: valueOr('-i, --inventory <file>', 'the inventory file', DEFAULT_INVENTORY, 'STAKE_INVENTORY'),
  json: flag('--json', 'one JSON document on stdout, no colour, no progress'),
  color: negatable('--no-color', 'no colour (also NO_COLOR=1)'),
  verbose: repeats('-v, --verbose', 'more detail; repeat for more'),
};
