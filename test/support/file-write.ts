/** A rendered file for the stage script, as the applier hands it over: text content and its sha256. */
import type { FileWrite } from '../../src/apply/scripts.js';
import { sha256 } from '../../src/render/host.js';

export const fileWrite = (path: string, content: string, mode = '0644'): FileWrite => ({
  path,
  mode,
  owner: 'root:root',
  sha256: sha256(content),
  from: { content },
});
