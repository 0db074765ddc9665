/** The services deploy started on a lab host, found by the pid files under its root. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pidFilePath } from '../render/services.js';
import { recordProcess, type ProcessRecord } from './processes.js';

/** Where the rendered launch scripts keep their pid files (init: direct, as lab hosts are). */
const RUN_DIR = dirname(pidFilePath('any'));

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The services deploy started on a lab host: its pid files, each kept only if the process really runs from that host's root. */
export function hostServices(root: string): ProcessRecord[] {
  let files: string[];
  try {
    files = readdirSync(join(root, RUN_DIR)).filter((f) => f.endsWith('.pid'));
  } catch {
    return [];
  }
  const out: ProcessRecord[] = [];
  for (const f of files) {
    const pid = Number(readFileSync(join(root, RUN_DIR, f), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && cmdline(pid).includes(`${root}/`))
      out.push(recordProcess(pid, f.replace(/\.pid$/, '')));
  }
  return out;
}
