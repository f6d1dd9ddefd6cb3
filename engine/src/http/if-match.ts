/**
 * If-Match (RFC 9110 section 13.1.1), for a PUT that must not replace what changed since the client read
 * it: `*` holds while there is a current representation; otherwise one of the listed entity-tags must
 * equal the current one by the strong comparison (section 8.8.3.2: a weak tag, W/"x", never matches).
 * A field that is not a list of entity-tags matches nothing, so the PUT is refused rather than applied.
 */
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

export function ifMatchHolds(field: string, current: string | undefined): boolean {
  const value = field.trim();
  if (value === '*') return current !== undefined;
  if (current === undefined) return false;
  return value.split(',').some((member) => {
    const tag = member.trim();
    return ENTITY_TAG.test(tag) && !tag.startsWith('W/') && tag === current;
  });
}
