/**
 * The one-sentence reason a learner reads for a transform: every edit that ran says what it did, in
 * order ("transform: set x-consumer: mobile; removed x-internal; renamed body user_id -> userId").
 * Values are shown short, and values of fields that look like credentials are not shown at all,
 * because reasons travel in events to every open page.
 */

const CREDENTIAL = /^(authorization|cookie|set-cookie)$|key|token|secret|password/i;
const SHOWN_MAX = 40;

/** A value as a reason shows it: hidden when `name` looks like a credential, cut when long. */
export function shownValue(name: string, value: string): string {
  if (CREDENTIAL.test(name)) return '(hidden)';
  return value.length > SHOWN_MAX ? `${value.slice(0, SHOWN_MAX)}…` : value;
}

/** The reason for one side of a transform, from the notes its edits left. */
export function describeTransform(notes: readonly string[]): string {
  return notes.length === 0 ? 'transform: nothing to change' : `transform: ${notes.join('; ')}`;
}
