/** `npm run docs`: regenerates the generated parts of the docs (the rules section of docs/inventory.md). */
import { readFileSync, writeFileSync } from 'node:fs';
import { projectPath } from '../src/paths.js';
import { withRuleDocs } from './rule-docs.js';

const path = projectPath('docs', 'inventory.md');
writeFileSync(path, withRuleDocs(readFileSync(path, 'utf8')));
console.log('wrote the rules section of docs/inventory.md');
