/**
 * The load balancer: picks a target for each request with the configured algorithm and forwards to it.
 * It keeps the per-target state every picker may read (weight, in-flight count, eligibility, address),
 * reads the request's hash key, and tells the picker how each request ended; health checks, ejection
 * and retries (issue 3) will also live here, never in a picker.
 */
import { hashKeyReader, type HashKeyReader } from '../balancer/hash-key.ts';
import { factoryOptions, KEYED_PICKERS, PICKERS } from '../balancer/pickers/index.ts';
import type { Candidate, PickContext, Picker } from '../balancer/picker.ts';
import { clientAddressReader } from '../proxy/real-ip.ts';
import type { BalancerConfig } from '../config/schema.ts';
import { ForwardingNode } from './forwarding-node.ts';
import type { NodeContext } from './node-server.ts';
import type { Stage } from './verdict.ts';

interface TargetState extends Candidate {
  weight: number;
  inFlight: number;
  eligible: boolean;
  address: string;
}

export class BalancerNode extends ForwardingNode<BalancerConfig> {
  readonly kind = 'balancer' as const;
  #targets: TargetState[] = [];
  #picker: Picker | undefined;
  /** The algorithm and options the current picker was built with. */
  #pickerKey = '';

  /** Target state outlives a reconfigure, so requests in flight settle on the same counters. */
  readonly #state = new Map<string, TargetState>();

  readonly #unsubscribe: () => void;

  constructor(config: BalancerConfig, ctx: NodeContext) {
    super(config, ctx);
    this.#syncTargets(config);
    // A target node that could not start has no address at all: it cannot be picked (503 when none
    // is left). A target that was up and then died is still picked: without health checks (issue 3)
    // the balancer only learns of it from the refused connection, as a real one would.
    this.#unsubscribe = ctx.bus.subscribe((event) => {
      if (event.type !== 'node.state') return;
      const target = this.#state.get(event.node);
      if (!target) return;
      target.eligible = event.state !== 'failed';
      if (event.port !== null) target.address = `127.0.0.1:${event.port}`;
    });
  }

  override async dispose(): Promise<void> {
    this.#unsubscribe();
    await super.dispose();
  }

  #syncTargets(config: BalancerConfig): void {
    const targets = config.targets.map((t) => (typeof t === 'string' ? { to: t, weight: 1 } : t));
    for (const id of this.#state.keys()) if (!targets.some((t) => t.to === id)) this.#state.delete(id);
    this.#targets = targets.map(({ to, weight }) => {
      let state = this.#state.get(to);
      if (!state) this.#state.set(to, (state = { id: to, weight, inFlight: 0, eligible: true, address: this.#addressOf(to) }));
      state.weight = weight;
      return state;
    });
    const pickerKey = JSON.stringify([config.algorithm, config.options ?? {}]);
    if (pickerKey !== this.#pickerKey) {
      this.#picker = PICKERS[config.algorithm](factoryOptions(config.options));
      this.#pickerKey = pickerKey;
    }
  }

  /** `host:port` of a target, as a reference engine's config would write the server. */
  #addressOf(target: string): string {
    const origin = this.ctx.resolve(target);
    return origin === undefined ? target : new URL(origin).host;
  }

  protected buildStages(config: BalancerConfig): Stage[] {
    this.#syncTargets(config);
    const picker = this.#picker!;
    const targets = this.#targets;
    const clientAddress = clientAddressReader(config.trustedProxies ?? []);
    const readKey: HashKeyReader | undefined =
      config.algorithm === 'ip-hash' ? hashKeyReader('ip') : KEYED_PICKERS.includes(config.algorithm) ? hashKeyReader(config.hashKey ?? 'ip') : undefined;
    // One context, its key set before each (synchronous) pick: no allocation per request.
    const ctx: PickContext = { now: () => performance.now(), rng: this.ctx.rng, key: undefined };
    return [
      {
        name: 'pick',
        run: (exchange) => {
          const { req } = exchange;
          if (readKey) ctx.key = readKey(req, clientAddress(plainAddress(req.socket.remoteAddress ?? ''), req.headers['x-forwarded-for']));
          const pick = picker.pick(targets, ctx);
          if (pick.target === null) {
            return {
              kind: 'respond',
              error: 'EDGE_NO_TARGET',
              headers: { 'retry-after': '1' },
              decision: { stage: 'pick', algorithm: picker.id, reason: pick.reason },
            };
          }
          const target = targets.find((t) => t.id === pick.target.id)!;
          target.inFlight++;
          return {
            kind: 'forward',
            upstream: target.id,
            path: exchange.req.url ?? '/',
            decision: pick.decision,
            settle: (outcome) => {
              target.inFlight--;
              picker.onSettled?.(
                { target: target.id, durationMs: outcome.durationMs, failed: outcome.error !== undefined || (outcome.status ?? 0) >= 500 },
                ctx,
              );
            },
          };
        },
      },
    ];
  }

  /** The live algorithm state for the inspector. */
  algorithmState(): {
    algorithm: string;
    next: string | undefined;
    targets: Array<{ id: string; weight: number; inFlight: number; eligible: boolean; address: string }>;
    state: unknown;
  } {
    return {
      algorithm: this.config.algorithm,
      next: this.#picker?.peek?.(this.#targets),
      targets: this.#targets.map(({ id, weight, inFlight, eligible, address }) => ({ id, weight, inFlight, eligible, address })),
      state: this.#picker?.state?.(this.#targets),
    };
  }
}

/** `::ffff:127.0.0.1` is the IPv4 client `127.0.0.1`, as nginx's `$remote_addr` prints it. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
