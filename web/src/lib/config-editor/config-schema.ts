/** The config's JSON Schema as the engine ships it (`npm run schema` writes it from the one schema definition). */
import schemaJson from '../../../../engine/edgelab.schema.json';
import type { JsonSchema } from './schema-at.ts';

export const CONFIG_SCHEMA = schemaJson as unknown as JsonSchema;
