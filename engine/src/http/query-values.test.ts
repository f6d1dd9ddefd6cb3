/** queryValues against URLSearchParams itself, the standard it must equal, on chosen and random queries. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryValues } from './query-values.ts';

const standard = (query: string, name: string) => new URLSearchParams(query).getAll(name);

describe('queryValues', () => {
  it.each([
    ['api_key=k-1', 'api_key', ['k-1']],
    ['a=1&api_key=k-1&b=2', 'api_key', ['k-1']],
    ['api_key=k-1&api_key=k-2', 'api_key', ['k-1', 'k-2']],
    ['api_key', 'api_key', ['']],
    ['api_key=', 'api_key', ['']],
    ['api_keys=x&xapi_key=y&api_ke=z', 'api_key', []],
    ['&&api_key=a=b&&', 'api_key', ['a=b']],
    ['=v&api_key=1', '', ['v']],
    ['api%5Fkey=k%2D1', 'api_key', ['k-1']],
    ['api_key=a+b', 'api_key', ['a b']],
    ['', 'api_key', []],
  ])('%s reads %s as %j', (query, name, expected) => {
    expect(queryValues(query, name)).toEqual(expected);
    expect(queryValues(query, name)).toEqual(standard(query, name));
  });

  it('equals URLSearchParams.getAll on any query', () => {
    const piece = fc.constantFrom('api_key', 'k', '', '=', '&', '+', '%', '%2', '%41', '%zz', 'é', '%C3%A9', 'a=b', ' ', '?', '#');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.constantFrom('api_key', 'k', '', 'a'), (pieces, name) => {
        const query = pieces.join('');
        expect(queryValues(query, name)).toEqual(standard(query, name));
      }),
      { numRuns: 3000 },
    );
  });
});
