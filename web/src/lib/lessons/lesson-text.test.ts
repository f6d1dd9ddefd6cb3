import { describe, expect, it } from 'vitest';
import { lessonParagraphs, lessonSpans } from './lesson-text.ts';

describe('lessonParagraphs', () => {
  it('splits on blank lines and joins wrapped lines', () => {
    expect(lessonParagraphs('One\nline.\n\n  Two.  \n\n\n')).toEqual([
      [{ kind: 'text', text: 'One line.' }],
      [{ kind: 'text', text: 'Two.' }],
    ]);
  });

  it.each([
    ['plain', [{ kind: 'text', text: 'plain' }]],
    [
      'stop `users-2` now',
      [
        { kind: 'text', text: 'stop ' },
        { kind: 'code', text: 'users-2' },
        { kind: 'text', text: ' now' },
      ],
    ],
    [
      'answers **502** with `EDGE_UPSTREAM_REFUSED`',
      [
        { kind: 'text', text: 'answers ' },
        { kind: 'bold', text: '502' },
        { kind: 'text', text: ' with ' },
        { kind: 'code', text: 'EDGE_UPSTREAM_REFUSED' },
      ],
    ],
    [
      '`**not bold**` in code',
      [
        { kind: 'code', text: '**not bold**' },
        { kind: 'text', text: ' in code' },
      ],
    ],
    ['a lone ` and ** stay', [{ kind: 'text', text: 'a lone ` and ** stay' }]],
    ['<b>is text</b>', [{ kind: 'text', text: '<b>is text</b>' }]],
  ])('%s', (paragraph, spans) => {
    expect(lessonSpans(paragraph)).toEqual(spans);
  });
});
