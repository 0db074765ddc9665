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
