import { z } from 'zod';
import { EdgeConfig } from './schema.ts';

/** The JSON Schema editors use to complete and check a config, generated from the zod definition. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(EdgeConfig, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://edgelab.dev/schema/edgelab.schema.json',
    title: 'EdgeLab config',
  };
}
