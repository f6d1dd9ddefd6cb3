/**
 * The parsed gateway as its fragments' cross-field checks see it (schema.ts composes the fragments,
 * so they cannot import its types without a circle): the fields each check reads, loosely typed.
 */
export interface GatewayShape {
  routes: Array<Record<string, unknown> & { match: Record<string, unknown> }>;
  [field: string]: unknown;
}
