/** Writes engine/edgelab.schema.json from the one zod definition (`npm run schema`). */
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from './json-schema.ts';

const file = new URL('../../edgelab.schema.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
