/**
 * One colour per consumer (who a gateway's authentication says is calling): the gateway inspector's
 * consumer and limiter views, the log line and the trace of a request with a consumer, and the tag a
 * dot wears once a gateway has named its consumer. A dot's fill stays its target's colour
 * (target-colours.ts), so the consumer is a small tag on it, never its fill.
 *
 * The same stable rule as the targets' (a pure function of the set of consumer names the config
 * gives, target-colours.ts), over a palette of its own so a tag never reads as a server: Paul Tol's
 * "vibrant" scheme, saturated where the targets' is light, without its grey (the neutral) and its red
 * (too dark on the panels). Beyond five consumers colours repeat; every view also names them.
 */
import { TargetColours } from './target-colours.ts';

export const CONSUMER_PALETTE: readonly string[] = ['#ee7733', '#0077bb', '#33bbee', '#ee3377', '#009988'];

/** Each consumer's index into CONSUMER_PALETTE; -1 (the neutral grey) for a name no gateway lists. */
export class ConsumerColours extends TargetColours {
  constructor(names: Iterable<string>) {
    super(names, CONSUMER_PALETTE);
  }
}

/** Every consumer the gateways' configs name (a name two gateways share is one consumer, one colour). */
export function consumerIds(nodes: readonly { gateway?: { consumers?: readonly string[] } }[]): string[] {
  return [...new Set(nodes.flatMap((node) => node.gateway?.consumers ?? []))];
}

/**
 * The consumer a rate limit's key names, from the key in words the engine gives (`consumer mobile`,
 * engine/src/gateway/limiters/key-reader.ts); undefined for any other key (`ip 127.0.0.5 (no consumer)`).
 */
export function consumerOfKey(words: string): string | undefined {
  return /^consumer (\S+)$/.exec(words)?.[1];
}
