/**
 * The values of one query parameter, exactly as `new URLSearchParams(query).getAll(name)` gives them
 * (the WHATWG application/x-www-form-urlencoded parser: pieces split on `&`, the name ended by the first
 * `=`, `+` read as a space, percent-escapes decoded as UTF-8), without building the whole parameter
 * list: a gateway that takes API keys in the query looks up one name on every request. A query with a
 * `%` or a `+` anywhere is handed to URLSearchParams itself (its decoding is the standard one); the
 * plain ones, nearly all of them, are a scan and a slice.
 */
export function queryValues(query: string, name: string): string[] {
  if (query.includes('%') || query.includes('+')) return new URLSearchParams(query).getAll(name);
  const values: string[] = [];
  // The constructor drops one leading `?`.
  let start = query.startsWith('?') ? 1 : 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    if (end > start) {
      const eq = query.indexOf('=', start);
      const nameEnd = eq === -1 || eq > end ? end : eq;
      if (nameEnd - start === name.length && query.startsWith(name, start)) values.push(nameEnd === end ? '' : query.slice(nameEnd + 1, end));
    }
    start = end + 1;
  }
  return values;
}
