/**
 * What a flow asks for: the weighted request mix (`requests`), or its simple form (`paths` drawn
 * uniformly with one `method`), and who asks (each virtual client's address, API key, cookie and credential).
 * Compiled once per flow; a draw costs a binary search and the path's placeholders.
 */
import type { TrafficConfig, TrafficRequestConfig } from '../config/schema.ts';
import { keySampler, type KeySampler } from './keys.ts';
import { clientAddress, compilePath, type PathTemplate } from './paths.ts';
import { WeightedChoice } from './weighted.ts';

export interface MixEntry {
  method: string;
  path: PathTemplate;
  /** Headers of this entry only (the flow's and the client's are added per client). */
  headers?: Record<string, string>;
  body?: string;
}

export interface DrawnRequest {
  method: string;
  path: string;
  headers: Record<string, string> | undefined;
  body: string | undefined;
}

export class RequestMix {
  readonly entries: MixEntry[];
  readonly #choice: WeightedChoice;
  readonly #keys: KeySampler | undefined;

  /** `rng` is the flow's random source, also used by the key sampler. */
  constructor(flow: TrafficConfig, rng: () => number) {
    const requests: TrafficRequestConfig[] =
      flow.requests ?? (flow.paths ?? ['/']).map((path) => ({ weight: 1, method: flow.method ?? 'GET', path }));
    this.entries = requests.map((r) => ({
      method: r.method,
      path: compilePath(r.path),
      ...(r.headers ? { headers: r.headers } : {}),
      ...(r.body !== undefined ? { body: r.body } : {}),
    }));
    this.#choice = new WeightedChoice(requests.map((r) => r.weight));
    this.#keys = flow.keys ? keySampler(flow.keys, rng) : undefined;
  }

  /** Which entry a draw picks (the weights' inverse CDF). */
  pickEntry(rng: () => number): MixEntry {
    return this.entries[this.#choice.pick(rng)];
  }

  /** One request for a client whose own headers are `clientHeaders`. */
  draw(rng: () => number, clientHeaders: Record<string, string> | undefined): DrawnRequest {
    const entry = this.pickEntry(rng);
    return {
      method: entry.method,
      path: entry.path(rng, this.#keys),
      headers: entry.headers ? mergeHeaders(clientHeaders, entry.headers) : clientHeaders,
      body: entry.body,
    };
  }
}

export interface ClientIdentity {
  /** The loopback source address this client sends from. */
  address: string;
  /** The flow's headers plus this client's API key and cookie; undefined when there are none. */
  headers: Record<string, string> | undefined;
}

/**
 * Virtual client `index` of flow number `flowIndex`: its own address (one /24 each first, see clientAddress), and
 * when the flow gives them, API key number (index mod count) + 1 and cookie value likewise, so the
 * same client always presents the same identity; `credential` is the header of its `auth`, if any.
 */
export function clientIdentity(
  index: number,
  flow: Pick<TrafficConfig, 'headers' | 'apiKeys' | 'cookies'>,
  flowIndex = 0,
  credential?: Record<string, string>,
): ClientIdentity {
  const own: Record<string, string> = { ...credential };
  if (flow.apiKeys) own[flow.apiKeys.header.toLowerCase()] = `${flow.apiKeys.prefix}${(index % flow.apiKeys.count) + 1}`;
  if (flow.cookies) own.cookie = `${flow.cookies.name}=${flow.cookies.prefix}${(index % flow.cookies.count) + 1}`;
  const headers = mergeHeaders(flow.headers, own);
  return { address: clientAddress(index, flowIndex), headers: headers && Object.keys(headers).length > 0 ? headers : undefined };
}

/** `extra` over `base`, names compared without case; two Cookie headers become one with both pairs. */
export function mergeHeaders(base: Record<string, string> | undefined, extra: Record<string, string>): Record<string, string> | undefined {
  if (!base) return extra;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) out[name.toLowerCase()] = value;
  for (const [name, value] of Object.entries(extra)) {
    const key = name.toLowerCase();
    out[key] = key === 'cookie' && out.cookie !== undefined ? `${out.cookie}; ${value}` : value;
  }
  return out;
}
