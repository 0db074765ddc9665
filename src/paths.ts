import { fileURLToPath } from 'node:url';

/** The installed project's root (this file runs from dist/src/). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const projectPath = (...parts: string[]) => [PROJECT_ROOT.replace(/\/$/, ''), ...parts].join('/');
