import { describe, expect, it } from 'vitest';
import { describeSaving } from './compression-saving.ts';

describe('describeSaving', () => {
  it('reads the totals as coded responses, bytes in and out, and the share saved', () => {
    expect(describeSaving({ responses: 12, bytesIn: 24_576, bytesOut: 6_144, saved: 18_432, failures: 0 })).toEqual({
      coded: '12 responses coded',
      bytes: '24 KB in -> 6 KB out',
      saved: 'saved 18 KB (75%)',
      outShare: 0.25,
      failures: undefined,
    });
  });

  it('says so when coding added bytes, and names failed encoders', () => {
    expect(describeSaving({ responses: 1, bytesIn: 20, bytesOut: 60, saved: -40, failures: 1 })).toMatchObject({
      coded: '1 response coded',
      saved: 'grew by 40 B',
      outShare: 1,
      failures: '1 response cut by a failed encoder',
    });
  });

  it('before anything was coded: nothing saved, out as long as in', () => {
    expect(describeSaving({ responses: 0, bytesIn: 0, bytesOut: 0, saved: 0, failures: 0 })).toMatchObject({ saved: 'saved 0 B (0%)', outShare: 1 });
  });
});
