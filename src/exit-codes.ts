/** Exit codes of every command, as the inventory contract (docs/inventory.md) lists them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  invalidInventory: 3,
  refused: 4,
  unreachable: 5,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * `stake lab ssh` passes the remote command's exit status through, as ssh does: any number from
 * 0 to 255, not one of stake's own codes.
 */
export const passedThrough = (status: number) => status as ExitCode;
