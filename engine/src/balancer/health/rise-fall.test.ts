import { describe, expect, it } from 'vitest';
import { HEALTHY, recordCheck, type CheckState } from './rise-fall.ts';

describe('rise and fall', () => {
  it.each<[string, boolean[], Array<string | undefined>, boolean]>([
    ['fall 3: three failed checks in a row take it down', [false, false, false], ['check-failed', 'check-failed', 'down'], false],
    [
      'a passed check in between starts the count again',
      [false, false, true, false, false],
      ['check-failed', 'check-failed', undefined, 'check-failed', 'check-failed'],
      true,
    ],
    [
      'rise 2: down, then two passed checks bring it up',
      [false, false, false, true, true],
      ['check-failed', 'check-failed', 'down', 'check-passed', 'up'],
      true,
    ],
    [
      'a failed check while coming back starts the rise again',
      [false, false, false, true, false, true, true],
      ['check-failed', 'check-failed', 'down', 'check-passed', undefined, 'check-passed', 'up'],
      true,
    ],
    ['checks that agree with the state change nothing', [true, true], [undefined, undefined], true],
  ])('%s', (_name, checks, changes, healthy) => {
    let state: CheckState = HEALTHY;
    const seen: Array<string | undefined> = [];
    for (const passed of checks) {
      const step = recordCheck(state, passed, { rise: 2, fall: 3 });
      state = step.state;
      seen.push(step.change);
    }
    expect(seen).toEqual(changes);
    expect(state.healthy).toBe(healthy);
  });

  it('rise 1 and fall 1 follow every check', () => {
    const down = recordCheck(HEALTHY, false, { rise: 1, fall: 1 });
    expect(down.change).toBe('down');
    expect(recordCheck(down.state, true, { rise: 1, fall: 1 }).change).toBe('up');
  });
});
