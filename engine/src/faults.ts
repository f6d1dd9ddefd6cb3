/**
 * Injected faults. This first version knows `down` (the node's listener closes and its open
 * connections are cut: new connections are refused, requests in flight see a reset); issue 4 adds
 * the rest of the Toxiproxy vocabulary behind the same `{ target, type, ... }` objects.
 */
import { z } from 'zod';
import type { FaultInfo } from './events.ts';

export const FAULT_TYPES = ['down'] as const;

export const FaultSpec = z.strictObject({
  target: z.string().min(1).meta({ description: 'a node id, or an edge "from->to"' }),
  type: z.enum(FAULT_TYPES),
});
export type FaultSpec = z.output<typeof FaultSpec>;

export class FaultTable {
  #next = 1;
  readonly #active = new Map<string, FaultInfo>();

  list(): FaultInfo[] {
    return [...this.#active.values()];
  }

  get(id: string): FaultInfo | undefined {
    return this.#active.get(id);
  }

  add(spec: FaultSpec): FaultInfo {
    const fault: FaultInfo = { id: `f${this.#next++}`, ...spec };
    this.#active.set(fault.id, fault);
    return fault;
  }

  remove(id: string): FaultInfo | undefined {
    const fault = this.#active.get(id);
    this.#active.delete(id);
    return fault;
  }

  /** Is another active fault of this type still holding the target? */
  holds(target: string, type: string): boolean {
    for (const f of this.#active.values()) if (f.target === target && f.type === type) return true;
    return false;
  }
}
