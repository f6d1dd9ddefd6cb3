/** Value templates: the syntax (references, escaped braces, refusals) and the value each reference reads. */
import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, TemplateScope, type RequestView, type Template } from './template.ts';

const view: RequestView = {
  method: 'POST',
  path: '/users/42',
  search: 'id=7&q=a%20b&id=8&flag',
  headers: { 'x-user': 'ann', accept: 'application/json', 'x-many': ['a', 'b'] as unknown as string },
  consumer: { name: 'mobile' },
  params: { id: '42' },
};

function render(text: string, v: RequestView = view): string {
  const template = parseTemplate(text) as Template;
  const value = renderTemplate(template, new TemplateScope(v));
  return typeof value === 'string' ? value : `missing: ${value.absent}`;
}

describe('a template', () => {
  it.each([
    ['{consumer.name}', 'mobile'],
    ['{request.method}', 'POST'],
    ['{request.path}', '/users/42'],
    ['{request.header.X-User}', 'ann'],
    ['{request.header.x-many}', 'a, b'],
    ['{request.query.id}', '7'],
    ['{request.query.q}', 'a b'],
    ['{request.query.flag}', ''],
    ['{route.param.id}', '42'],
    ['user {consumer.name} via {request.method} {request.path}', 'user mobile via POST /users/42'],
    ['{{literal}} and }}', '{literal} and }'],
    ['plain', 'plain'],
    ['', ''],
  ])('%s reads %j', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it.each([
    ['{consumer.name}', { ...view, consumer: undefined }, 'the request has no consumer'],
    ['{request.header.x-missing}', view, 'the request has no header x-missing'],
    ['{request.query.nope}', view, 'the request has no query parameter nope'],
    ['{route.param.name}', view, 'the route captured no parameter name'],
    ['{route.param.id}', { ...view, params: undefined }, 'the route captured no parameter id'],
    // A parameter is read as the route's own, never from Object.prototype.
    ['{route.param.constructor}', view, 'the route captured no parameter constructor'],
    ['a-{consumer.name}-b', { ...view, consumer: undefined }, 'the request has no consumer'],
  ])('%s is missing when %s', (text, v, absent) => {
    expect(render(text, v)).toBe(`missing: ${absent}`);
  });

  it('passes each value through the encoder it is given, never the literal text', () => {
    const template = parseTemplate('/a b/{request.query.q}') as Template;
    expect(renderTemplate(template, new TemplateScope(view), encodeURIComponent)).toBe('/a b/a%20b');
  });

  it('parses the query once however many references read it', () => {
    const scope = new TemplateScope(view);
    expect(scope.query).toBe(scope.query);
  });

  it.each([
    [
      '{consumer.id}',
      'unknown reference {consumer.id}: expected {consumer.name}, {request.method}, {request.path}, {request.header.NAME}, {request.query.NAME} or {route.param.NAME}',
    ],
    [
      '{id}',
      'unknown reference {id}: expected {consumer.name}, {request.method}, {request.path}, {request.header.NAME}, {request.query.NAME} or {route.param.NAME}',
    ],
    ['{request.header.a:b}', '{request.header.a:b}: "a:b" is not a header name'],
    ['{route.param.a-b}', '{route.param.a-b}: "a-b" is not a parameter name (letters, digits and _)'],
    ['{request.query.}', '{request.query.}: name the query parameter'],
    ['a {consumer.name', 'a "{" without its "}": write "{{" for a literal brace'],
    ['a } b', 'a lone "}": write "}}" for a literal brace'],
  ])('%s is refused', (text, error) => {
    expect(parseTemplate(text)).toEqual({ error });
  });
});
