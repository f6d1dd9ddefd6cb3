/**
 * The stored responses: an LRU bounded by bytes (lru-cache, maxSize with each entry's size), one entry
 * per Vary variant. RFC 9111 section 4.1: a key's stored response is reused only when the request's
 * selecting headers (those its Vary names) match; here they form a secondary key beside the configured
 * one, and a key keeps the Vary names of its latest response (a response that changes them replaces the
 * key's variants). Two indexes (a key's variants, a target URI's entries) let invalidation and purges
 * find entries without a scan; they follow the LRU through its dispose hook, so evicted entries leave
 * them and memory stays bounded by maxSize under a flood of distinct keys.
 */
import { LRUCache } from 'lru-cache';
import type CachePolicy from 'http-cache-semantics';
import type { Directives } from './directives.ts';
import type { Lifetime } from './freshness.ts';
import { headerText, type CacheRequest, type Headers } from './types.ts';
import { ownField } from '../../pipeline/headers.ts';

/** What an entry costs beyond its body and headers (the policy, the maps, the strings' overhead). */
export const ENTRY_OVERHEAD_BYTES = 512;

export interface StoredResponse {
  /** The configured key. */
  readonly key: string;
  readonly host: string;
  /** Path and query. */
  readonly url: string;
  readonly status: number;
  /** As stored: hop-by-hop fields removed, Date present, Age left out (it is computed when served). */
  readonly headers: Headers;
  readonly body: Buffer;
  readonly policy: CachePolicy;
  readonly directives: Directives;
  readonly lifetime: Lifetime;
  /** corrected_initial_age in seconds (RFC 9111 section 4.2.3). */
  readonly initialAge: number;
  /** response_time: when the response (or the 304 that refreshed it) arrived, ms. */
  readonly storedAt: number;
  /** Vary names, lower-case. */
  readonly vary: readonly string[];
  /** Bytes counted against maxSize. */
  readonly size: number;
}

interface KeyGroup {
  vary: readonly string[];
  readonly entries: Set<string>;
}

export class ResponseStore {
  readonly #lru: LRUCache<string, StoredResponse>;
  readonly #groups = new Map<string, KeyGroup>();
  readonly #byUri = new Map<string, Set<string>>();

  constructor(maxSize: number) {
    this.#lru = new LRUCache<string, StoredResponse>({
      maxSize,
      sizeCalculation: (entry) => entry.size,
      dispose: (entry, slot) => this.#unindex(entry, slot),
    });
  }

  /** The stored response for `key` whose Vary selecting headers match the request's. */
  get(key: string, request: CacheRequest): StoredResponse | undefined {
    const group = this.#groups.get(key);
    if (group === undefined) return undefined;
    return this.#lru.get(slotOf(key, group.vary, request));
  }

  /** True when something is stored for `key`, whichever its variants. */
  hasKey(key: string): boolean {
    return this.#groups.has(key);
  }

  /** Stores `entry` for the request it answered; false when it is larger than the whole store. */
  set(entry: StoredResponse, request: CacheRequest): boolean {
    const group = this.#groups.get(entry.key);
    if (group !== undefined && !sameNames(group.vary, entry.vary)) this.deleteKey(entry.key);
    const slot = slotOf(entry.key, entry.vary, request);
    this.#lru.set(slot, entry);
    if (!this.#lru.has(slot)) return false;
    const kept = this.#groups.get(entry.key) ?? { vary: entry.vary, entries: new Set<string>() };
    kept.entries.add(slot);
    this.#groups.set(entry.key, kept);
    const uri = entry.host + entry.url;
    const sameUri = this.#byUri.get(uri) ?? new Set<string>();
    sameUri.add(slot);
    this.#byUri.set(uri, sameUri);
    return true;
  }

  /** Drops the stored response `entry` (if it is still the one stored for its variant). */
  delete(entry: StoredResponse, request: CacheRequest): void {
    const slot = slotOf(entry.key, entry.vary, request);
    if (this.#lru.peek(slot) === entry) this.#lru.delete(slot);
  }

  /** Drops every variant stored for `key`; how many. */
  deleteKey(key: string): number {
    const group = this.#groups.get(key);
    if (group === undefined) return 0;
    return this.#deleteSlots([...group.entries]);
  }

  /** Drops every entry whose target URI (host + path + query) is `uri`, whatever its key; how many. */
  deleteUri(uri: string): number {
    const slots = this.#byUri.get(uri);
    return slots === undefined ? 0 : this.#deleteSlots([...slots]);
  }

  /** Drops every entry whose path starts with `prefix` (on `host` only, when given); how many. A scan: for the control API, not requests. */
  deletePathPrefix(prefix: string, host?: string): number {
    return this.#deleteWhere((entry) => entry.url.startsWith(prefix), host);
  }

  /** Drops every entry stored for exactly this path and query (on `host` only, when given); how many. */
  deleteUrl(url: string, host?: string): number {
    return this.#deleteWhere((entry) => entry.url === url, host);
  }

  #deleteWhere(test: (entry: StoredResponse) => boolean, host: string | undefined): number {
    const slots: string[] = [];
    const onHost = host?.toLowerCase();
    for (const [slot, entry] of this.#lru.entries()) {
      if (test(entry) && (onHost === undefined || entry.host === onHost)) slots.push(slot);
    }
    return this.#deleteSlots(slots);
  }

  /** Stored responses, most recently used first (for the cache panel). */
  *entries(): IterableIterator<StoredResponse> {
    yield* this.#lru.values();
  }

  get count(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#lru.calculatedSize;
  }

  /** Index sizes, so a test can show they follow the LRU. */
  get indexSizes(): { keys: number; uris: number } {
    return { keys: this.#groups.size, uris: this.#byUri.size };
  }

  #deleteSlots(slots: readonly string[]): number {
    let deleted = 0;
    for (const slot of slots) if (this.#lru.delete(slot)) deleted++;
    return deleted;
  }

  #unindex(entry: StoredResponse, slot: string): void {
    const group = this.#groups.get(entry.key);
    if (group !== undefined) {
      group.entries.delete(slot);
      if (group.entries.size === 0) this.#groups.delete(entry.key);
    }
    const uri = entry.host + entry.url;
    const sameUri = this.#byUri.get(uri);
    if (sameUri !== undefined) {
      sameUri.delete(slot);
      if (sameUri.size === 0) this.#byUri.delete(uri);
    }
  }
}

/** The LRU slot: the key, then the request's values of the Vary names (absent and empty told apart). */
function slotOf(key: string, vary: readonly string[], request: CacheRequest): string {
  let slot = key + '\u0001';
  for (const name of vary) {
    const value = headerText(ownField(request.headers, name));
    slot += value === undefined ? '\u0002' : '\u0003' + normaliseSelecting(name, value);
  }
  return slot;
}

const WHITESPACE_RUN = /\s+/g;
const AROUND_COMMA = /\s*,\s*/g;

/**
 * Selecting fields whose values are case-insensitive: language tags, content codings, charsets (RFC 9110
 * sections 8.5.1, 8.4.1, 8.3.2), and their q parameters.
 */
const CASE_INSENSITIVE = new Set(['accept-language', 'accept-encoding', 'accept-charset']);

/**
 * RFC 9111 section 4.1: selecting values may be normalised (whitespace, combined field lines, the case of
 * a field known to be case-insensitive) before comparing. `name` is lower-case.
 */
function normaliseSelecting(name: string, value: string): string {
  const spaced = value.trim().replace(AROUND_COMMA, ',').replace(WHITESPACE_RUN, ' ');
  return CASE_INSENSITIVE.has(name) ? spaced.toLowerCase() : spaced;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}
