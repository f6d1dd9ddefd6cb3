/**
 * The sections of bench/README.md a run rewrites, each between `<!-- bench:NAME:start -->` and
 * `<!-- bench:NAME:end -->`; the text around them is never touched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** Replace section `name`'s body with `body` (its lines joined); false when the README lacks its markers. */
export function rewriteReadmeSection(name, body) {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const readme = readFileSync(README, 'utf8');
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) return false;
  writeFileSync(README, `${readme.slice(0, from)}${start}\n${body}\n${end}${readme.slice(to + end.length)}`);
  return true;
}
