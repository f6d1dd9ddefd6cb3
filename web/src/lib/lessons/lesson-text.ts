/**
 * A lesson body's markup, as lessons/format.ts allows it: paragraphs separated by a blank line,
 * `inline code` and **bold**, nothing else. Parsed into spans the panel renders as elements, so a
 * lesson's text never reaches the page as HTML.
 */

export interface TextSpan {
  kind: 'text' | 'code' | 'bold';
  text: string;
}

const MARKUP = /`([^`]+)`|\*\*(.+?)\*\*/g;

export function lessonParagraphs(body: string): TextSpan[][] {
  return body
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim().replace(/\s*\n\s*/g, ' '))
    .filter((paragraph) => paragraph !== '')
    .map(lessonSpans);
}

/** One paragraph's spans; an unmatched backtick or `**` stays as the text it is. */
export function lessonSpans(paragraph: string): TextSpan[] {
  const spans: TextSpan[] = [];
  let at = 0;
  for (const match of paragraph.matchAll(MARKUP)) {
    if (match.index > at) spans.push({ kind: 'text', text: paragraph.slice(at, match.index) });
    spans.push(match[1] !== undefined ? { kind: 'code', text: match[1] } : { kind: 'bold', text: match[2] });
    at = match.index + match[0].length;
  }
  if (at < paragraph.length) spans.push({ kind: 'text', text: paragraph.slice(at) });
  return spans;
}
