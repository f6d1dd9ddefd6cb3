import { describe, expect, it } from 'vitest';
import { parseErrorPath } from './error-path.ts';

describe('parseErrorPath', () => {
  it('parses the paths the engine writes, with or without the node id', () => {
    expect(parseErrorPath('nodes[2] (users-9).targets[0]')).toEqual(['nodes', 2, 'targets', 0]);
    expect(parseErrorPath('traffic[0].rate')).toEqual(['traffic', 0, 'rate']);
    expect(parseErrorPath('')).toEqual([]);
  });
});
