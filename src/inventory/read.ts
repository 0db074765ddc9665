/**
 * Reading an inventory file: the one place validation touches the disk. Refuses, with a
 * located diagnostic, what is not a readable file of sensible size, before reading it.
 */
import { open } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics.js';

/** 1,000 hosts take about 200 KB; anything past this is not an inventory someone wrote. */
export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;

export type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; diagnostic: Diagnostic };

/** Reads a file, or standard input for `-`; pipes and process substitutions (`<(...)`) too. */
export async function readInventoryFile(file: string): Promise<ReadResult> {
  const refuse = (id: string, summary: string, hint: string): ReadResult => ({
    ok: false,
    diagnostic: { id, severity: 'error', summary, hint, location: { file, line: 1, column: 1 } },
  });
  const limit = `${MAX_INVENTORY_BYTES / 1024 / 1024} MB`;
  const tooLarge = (size?: number) =>
    refuse(
      'file/too-large',
      size === undefined
        ? `the input is larger than ${limit}, the most an inventory may be`
        : `the file is ${(size / 1024 / 1024).toFixed(1)} MB; inventories are read up to ${limit}`,
      'check this is the right file (1,000 hosts take about 0.2 MB)',
    );
  if (file === '-') {
    const bytes = await readCapped(process.stdin);
    return bytes ? { ok: true, bytes } : tooLarge();
  }
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return refuse(
        'file/missing',
        'no such file',
        'pass the inventory with -i FILE or set STAKE_INVENTORY; examples are in inventories/',
      );
    if (code === 'EACCES') return refuse('file/unreadable', 'permission denied', "check the file's permissions");
    if (code === 'EISDIR')
      return refuse(
        'file/directory',
        'this is a directory, not an inventory file',
        `pass a YAML file, e.g. ${file.replace(/\/$/, '')}/inventory.yaml`,
      );
    return refuse('file/unreadable', `cannot open: ${(err as Error).message}`, 'check the path');
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      return refuse(
        'file/directory',
        'this is a directory, not an inventory file',
        `pass a YAML file, e.g. ${file.replace(/\/$/, '')}/inventory.yaml`,
      );
    if (info.isFile()) {
      if (info.size > MAX_INVENTORY_BYTES) return tooLarge(info.size);
      return { ok: true, bytes: await handle.readFile() };
    }
    if (!info.isFIFO() && !info.isCharacterDevice())
      return refuse('file/unreadable', 'not a regular file or a pipe', 'pass a YAML file');
    const bytes = await readCapped(handle.createReadStream({ autoClose: false }));
    return bytes ? { ok: true, bytes } : tooLarge();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR')
      return refuse('file/directory', 'this is a directory, not an inventory file', 'pass a YAML file');
    return refuse('file/unreadable', `cannot read: ${(err as Error).message}`, 'check the path');
  } finally {
    await handle.close();
  }
}

/** A pipe has no size up front: read until the limit; undefined when the input goes past it. */
async function readCapped(stream: NodeJS.ReadableStream): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > MAX_INVENTORY_BYTES) {
      if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
