import { describe, expect, it } from 'vitest';
import { copyFields, downstreamResponseHeaders, forwardedNode, upstreamRequestHeaders } from './headers.ts';

describe('copyFields', () => {
  it('copies every own field, in order, into an object of its own', () => {
    const stored: Record<string, string | string[]> = { 'content-type': 'application/json', etag: '"v1"', vary: ['accept', 'accept-encoding'] };
    const copy = copyFields(stored);
    copy.age = '3';
    expect(Object.entries(copy)).toEqual([...Object.entries(stored), ['age', '3']]);
    expect(stored).not.toHaveProperty('age');
  });

  it('keeps a field named __proto__ as a field, and leaves the prototype alone', () => {
    // JSON.parse makes `__proto__` an own field, as a parsed response head may have it.
    const stored = JSON.parse('{"__proto__":"p","constructor":"c"}') as Record<string, string>;
    const copy = copyFields(stored);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'constructor']);
  });
});

describe('Forwarded (RFC 7239)', () => {
  it.each([
    ['192.0.2.60', '192.0.2.60'],
    ['192.0.2.60:4711', '"192.0.2.60:4711"'],
    ['2001:db8:cafe::17', '"[2001:db8:cafe::17]"'],
    ['::1', '"[::1]"'],
    ['::ffff:192.0.2.60', '"[::ffff:192.0.2.60]"'],
    ['[2001:db8:cafe::17]', '"[2001:db8:cafe::17]"'],
    ['[2001:db8:cafe::17]:4711', '"[2001:db8:cafe::17]:4711"'],
    ['[::1]:8080', '"[::1]:8080"'],
    ['unknown', 'unknown'],
    // A peer whose socket is already gone has no address: RFC 7239 section 6.2's `unknown`, never an empty value.
    ['', 'unknown'],
  ])('writes the node %s as %s (section 6: IPv6 bracketed, and quoted, as is anything with a colon)', (address, node) => {
    expect(forwardedNode(address)).toBe(node);
  });

  const hop = { nodeId: 'edge', httpVersion: '1.1', peer: '::1', forwardedBy: '"127.0.0.1:8080"', requestId: 'r1', trustedHop: false };
  const ours = 'for="[::1]";by="127.0.0.1:8080";proto=http;host=lab';

  it.each<[string, string | string[], string]>([
    ['one element', 'for=192.0.2.43', `for=192.0.2.43, ${ours}`],
    ['a list, with quoted values and an extension parameter', 'for="[2001:db8::1]:80";proto=https, for=unknown;ext="a,b;c"', `for="[2001:db8::1]:80";proto=https, for=unknown;ext="a,b;c", ${ours}`],
    ['two fields, one list', ['for=192.0.2.43', 'for=198.51.100.17;by=203.0.113.60'], `for=192.0.2.43, for=198.51.100.17;by=203.0.113.60, ${ours}`],
    ['an empty pair and an empty element, which the list rules allow', 'for=192.0.2.43;;proto=http, ,for=unknown', `for=192.0.2.43;;proto=http, ,for=unknown, ${ours}`],
    ['an unterminated quoted string (it would swallow our element)', 'for="unterminated', ours],
    ['a pair without a value', 'for=1.2.3.4;by', ours],
    ['a value that is neither a token nor quoted', 'for=[::1]', ours],
    ['two pairs without a separator', 'for=192.0.2.43 by=192.0.2.1', ours],
    ['one bad field among good ones', ['for=192.0.2.43', 'for=<script>'], ours],
    ['only spaces', '  ', ours],
  ])('appends this hop to %s, or replaces a field that is no list of elements', (_case, incoming, expected) => {
    expect(upstreamRequestHeaders({ host: 'lab', forwarded: incoming } as never, hop).forwarded).toBe(expected);
  });

  it.each([
    ['lab', 'host=lab'],
    ['lab:8080', 'host="lab:8080"'],
    ['[::1]:8080', 'host="[::1]:8080"'],
    ['my_service', 'host=my_service'],
    ["a!$&'()*+;=b", `host="a!$&'()*+;=b"`],
  ])('writes the Host %s as %s (a token bare, any other valid Host quoted)', (host, param) => {
    expect(upstreamRequestHeaders({ host } as never, hop).forwarded).toBe(`for="[::1]";by="127.0.0.1:8080";proto=http;${param}`);
  });

  it('leaves out a Host that no quoted-string can hold', () => {
    expect(upstreamRequestHeaders({ host: 'a"b' } as never, hop).forwarded).toBe('for="[::1]";by="127.0.0.1:8080";proto=http');
  });
});

describe('downstreamResponseHeaders (an answer read whole)', () => {
  it('drops Trailer with the hop-by-hop fields: the answer goes out with its length, and Node refuses a head that promises trailers then', () => {
    const head = downstreamResponseHeaders({ trailer: 'X-Sum', connection: 'x-hop', 'x-hop': '1', etag: '"a"' }, { nodeId: 'edge', requestId: 'r1' }, 200);
    expect(head).toEqual({ etag: '"a"', via: '1.1 edge', 'x-request-id': 'r1' });
  });
});
