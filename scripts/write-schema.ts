/** Publishes the inventory schema for editors: schema/inventory.schema.json (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { publishedSchema } from '../src/inventory/schema.js';
import { projectPath } from '../src/paths.js';

writeFileSync(projectPath('schema', 'inventory.schema.json'), `${JSON.stringify(publishedSchema(), null, 2)}\n`);
console.log('wrote schema/inventory.schema.json');
