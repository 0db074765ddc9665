import { StakeError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

/**
 * The inventory cannot be rendered as it is: a missing node id, a DNS name where the firewall
 * needs an IP, a client with no templates. The fix is in the inventory, so exit 3.
 */
export class RenderError extends StakeError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: EXIT.invalidInventory, hint });
    this.name = 'RenderError';
  }
}

/** A template produced a file that does not parse: a bug in that template, named. Exit 1. */
export class TemplateError extends StakeError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: EXIT.failed, hint });
    this.name = 'TemplateError';
  }
}
