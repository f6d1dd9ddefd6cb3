/**
 * Every duration of the config schema, found by walking the schema itself, refuses a bare number in a
 * config document with the units it takes (issue 12), and no field that holds a time is a plain number
 * that would escape that rule (a new `timeout: z.number()` fails here).
 */
import { describe, expect, it } from 'vitest';
import { Duration, withUnitsRequired } from './duration.ts';
import { EdgeConfig } from './schema.ts';

interface Schema {
  _zod: { def: Record<string, unknown> & { type: string } };
}

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && '_zod' in value;
/** What every duration is built on: the number-or-string union that Duration's transform reads (a refined Duration keeps it). */
const DURATION_INPUT = (Duration as unknown as Schema)._zod.def.in;

/** Every place of the schema, by field path, with the schema found there: durations as leaves. */
function fields(schema: Schema, at = '', out: Array<{ at: string; schema: Schema }> = [], depth = 0): Array<{ at: string; schema: Schema }> {
  if (depth > 40) throw new Error(`the schema is deeper than expected at ${at}`);
  const def = schema._zod.def;
  out.push({ at, schema });
  if (def.type === 'pipe' && def.in === DURATION_INPUT) return out;
  for (const [key, value] of Object.entries(def)) {
    if (key === 'shape' && typeof value === 'object' && value !== null) {
      for (const [name, field] of Object.entries(value)) if (isSchema(field)) fields(field, `${at}.${name}`, out, depth + 1);
    } else if (isSchema(value)) fields(value, key === 'element' ? `${at}[]` : at, out, depth + 1);
    else if (Array.isArray(value)) for (const option of value) if (isSchema(option)) fields(option, at, out, depth + 1);
  }
  return out;
}

const all = fields(EdgeConfig as unknown as Schema);
const durations = all.filter(({ schema }) => schema._zod.def.type === 'pipe' && schema._zod.def.in === DURATION_INPUT);
const durationPaths = [...new Set(durations.map((d) => d.at))];

describe('every duration field of the config', () => {
  it('is found by the walk, in every part of the config', () => {
    // A sample of the places, so that a walk that finds nothing cannot pass.
    for (const at of ['.nodes[].latency', '.nodes[].healthCheck.interval', '.nodes[].timeouts.response', '.nodes[].routes[].rateLimit.window', '.traffic[].phases[].for', '.traffic[].think', '.scenario[].at']) {
      expect(durationPaths).toContain(at);
    }
    expect(durationPaths.length).toBeGreaterThan(40);
  });

  it.each(durationPaths)('%s refuses a bare number in a config, with the units', (at) => {
    for (const { schema } of durations.filter((d) => d.at === at)) {
      const parsed = withUnitsRequired(() => (schema as unknown as typeof Duration).safeParse(40));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.message)).toContain('40 has no unit: write 40ms or 40s (a duration takes ms, s, m, h or d)');
      // ... and takes the same with its unit, and 0 without one; an API body may still give milliseconds.
      expect((schema as unknown as typeof Duration).safeParse('40ms').data).toBe(40);
      expect(withUnitsRequired(() => (schema as unknown as typeof Duration).safeParse('40ms').success)).toBe(true);
      expect((schema as unknown as typeof Duration).safeParse(40).data).toBe(40);
    }
  });

  it('takes 0 without a unit', () => {
    expect(withUnitsRequired(() => Duration.safeParse(0)).data).toBe(0);
  });

  it('leaves no time in a plain number', () => {
    const TIME = /(timeout|interval|latency|delay|window|period|after|coolDown|think|ttl|age|time|tau|rtt|\.for|\.over|\.at|\.on|\.off)$/i;
    /** Named like a time, but a count: nginx `limit_req delay=N` is a number of requests. */
    const COUNTS = /\.rateLimit(\[\])?\.delay$/;
    const plain = all.filter(({ at, schema }) => schema._zod.def.type === 'number' && TIME.test(at) && !COUNTS.test(at)).map((f) => f.at);
    expect([...new Set(plain)]).toEqual([]);
  });
});
