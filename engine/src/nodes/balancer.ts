/**
 * The load balancer: picks a target for each request with the configured algorithm and forwards to it.
 * It keeps the per-target state every picker may read (weight, in-flight count, eligibility); health
 * checks, ejection and retries (issue 3) will also live here, never in a picker.
 */
import { PICKERS } from '../balancer/pickers/index.ts';
import type { Candidate, Picker } from '../balancer/picker.ts';
import type { BalancerConfig } from '../config/schema.ts';
import { ForwardingNode } from './forwarding-node.ts';
import type { NodeContext } from './node-server.ts';
import type { Stage } from './verdict.ts';

interface TargetState extends Candidate {
  weight: number;
  inFlight: number;
  eligible: boolean;
}

export class BalancerNode extends ForwardingNode<BalancerConfig> {
  readonly kind = 'balancer' as const;
  #targets: TargetState[] = [];
  #picker: Picker | undefined;

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
      if (target) target.eligible = event.state !== 'failed';
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
      if (!state) this.#state.set(to, (state = { id: to, weight, inFlight: 0, eligible: true, address: to }));
      state.weight = weight;
      return state;
    });
    if (this.#picker?.id !== config.algorithm) this.#picker = PICKERS[config.algorithm]();
  }

  protected buildStages(config: BalancerConfig): Stage[] {
    this.#syncTargets(config);
    const picker = this.#picker!;
    const targets = this.#targets;
    const ctx = { now: () => performance.now(), rng: this.ctx.rng };
    return [
      {
        name: 'pick',
        run: (exchange) => {
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
            settle: () => {
              target.inFlight--;
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
    targets: Array<{ id: string; weight: number; inFlight: number; eligible: boolean }>;
  } {
    return {
      algorithm: this.config.algorithm,
      next: this.#picker?.peek?.(this.#targets),
      targets: this.#targets.map(({ id, weight, inFlight, eligible }) => ({ id, weight, inFlight, eligible })),
    };
  }
}
