import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONSUMER_PALETTE, ConsumerColours, consumerIds, consumerOfKey } from './consumer-colours.ts';
import { contrast } from '../../test/contrast.ts';
import { NEUTRAL_COLOUR, TARGET_PALETTE } from './target-colours.ts';

const CONSUMERS = ['mobile', 'scraper', 'web', 'ops'];
const coloursOf = (names: readonly string[], within = names) => {
  const colours = new ConsumerColours(within);
  return Object.fromEntries(names.map((name) => [name, colours.colour(name)]));
};

describe('consumer colours', () => {
  it('gives the same colours after a reload and after the consumers are reordered', () => {
    const first = coloursOf(CONSUMERS);
    expect(coloursOf(CONSUMERS)).toEqual(first);
    expect(coloursOf(CONSUMERS, [...CONSUMERS].reverse())).toEqual(first);
  });

  it('gives distinct colours to as many consumers as the palette has colours, whatever their names', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9._@:+|-]{0,11}$/), { minLength: 1, maxLength: CONSUMER_PALETTE.length }), (names) => {
        const colours = new ConsumerColours(names);
        expect(new Set(names.map((name) => colours.colour(name))).size).toBe(names.length);
        for (const name of names) expect(CONSUMER_PALETTE).toContain(colours.colour(name));
      }),
    );
  });

  it('never recolours a consumer that sorts before one added (any set, any name)', () => {
    const name = fc.stringMatching(/^[a-z]{1,6}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 8 }), name, (names, added) => {
        fc.pre(!names.includes(added));
        const without = new ConsumerColours(names);
        const withIt = new ConsumerColours([...names, added]);
        for (const other of names) if (other < added) expect(withIt.colour(other)).toBe(without.colour(other));
      }),
    );
  });

  it('is grey for no consumer or one no gateway lists', () => {
    const colours = new ConsumerColours(CONSUMERS);
    expect(colours.colour(undefined)).toBe(NEUTRAL_COLOUR);
    expect(colours.colour('stranger')).toBe(NEUTRAL_COLOUR);
  });

  it('never uses a target colour or the neutral grey, so a tag never reads as a server', () => {
    for (const colour of CONSUMER_PALETTE) {
      expect(TARGET_PALETTE.map((c) => c.toLowerCase())).not.toContain(colour);
      expect(colour).not.toBe(NEUTRAL_COLOUR);
    }
    expect(new Set(CONSUMER_PALETTE).size).toBe(CONSUMER_PALETTE.length);
  });

  it('stands out on the dark stage and panels (at least 3:1, the WCAG contrast for graphics)', () => {
    for (const colour of CONSUMER_PALETTE) {
      for (const background of ['#0e1420', '#151d2c', '#1b2536']) expect(contrast(colour, background), `${colour} on ${background}`).toBeGreaterThanOrEqual(3);
    }
  });

  it("takes every gateway's consumers, a name two gateways share once", () => {
    const nodes = [
      { gateway: { consumers: ['mobile', 'scraper'] } },
      {},
      { gateway: { consumers: [] } },
      { gateway: { consumers: ['scraper', 'partner'] } },
    ];
    expect(consumerIds(nodes)).toEqual(['mobile', 'scraper', 'partner']);
    expect(consumerIds([{ gateway: {} }])).toEqual([]);
  });

  it("reads the consumer from a limit's key in words, and nothing from any other key", () => {
    expect(consumerOfKey('consumer mobile')).toBe('mobile');
    expect(consumerOfKey('ip 127.0.0.5 (no consumer)')).toBeUndefined();
    expect(consumerOfKey('x-api-key k-1')).toBeUndefined();
    expect(consumerOfKey('everyone')).toBeUndefined();
  });
});
