/**
 * Reading an inventory file: the one place validation touches the disk. Refuses, with a
 * located diagnostic, what is not a readable file of sensible size, before reading it.
 */
import { open } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics.js';

/** 1,000 hosts take about 200 KB; anything past this is not an inventory someone wrote. */
export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;

export type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; diagnostic: Diagnostic };

export async function readInventoryFile(file: string): Promise<ReadResult> {
  const refuse = (id: string, summary: string, hint: string): ReadResult => ({
    ok: false,
    diagnostic: { id, severity: 'error', summary, hint, location: { file, line: 1, column: 1 } },
  });
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return refuse('file/missing', 'no such file', 'pass the inventory with -i FILE or set STAKE_INVENTORY; examples are in inventories/');
    if (code === 'EACCES') return refuse('file/unreadable', 'permission denied', 'check the file\'s permissions');
    if (code === 'EISDIR') return refuse('file/directory', 'this is a directory, not an inventory file', `pass a YAML file, e.g. ${file.replace(/\/$/, '')}/inventory.yaml`);
    return refuse('file/unreadable', `cannot open: ${(err as Error).message}`, 'check the path');
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return refuse('file/directory', 'this is a directory, not an inventory file', `pass a YAML file, e.g. ${file.replace(/\/$/, '')}/inventory.yaml`);
    if (!info.isFile()) return refuse('file/unreadable', 'not a regular file', 'pass a YAML file');
    if (info.size > MAX_INVENTORY_BYTES) {
      const mb = (info.size / 1024 / 1024).toFixed(1);
      return refuse('file/too-large', `the file is ${mb} MB; inventories are read up to ${MAX_INVENTORY_BYTES / 1024 / 1024} MB`, 'check this is the right file (1,000 hosts take about 0.2 MB)');
    }
    return { ok: true, bytes: await handle.readFile() };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return refuse('file/directory', 'this is a directory, not an inventory file', 'pass a YAML file');
    return refuse('file/unreadable', `cannot read: ${(err as Error).message}`, 'check the path');
  } finally {
    await handle.close();
  }
}
