/**
 * What the learner has picked out on the page: a box (its inspector), a request (its trace, kept up
 * to date while its events arrive), and the fault menu of a box or an edge. It holds no engine data:
 * the trace it shows is a copy from the trace store of whatever the page shows (the live stream, or
 * the timeline's replay), which `showTracesOf` names.
 */
import type { FaultPlace } from '../lib/faults/fault-forms.ts';
import type { Rect } from '../lib/faults/menu-position.ts';
import type { Trace, TraceStore } from '../lib/traces/trace-store.ts';

/** An open fault menu: what it is for, the element's box on screen (it opens beside it), and the element that gets focus back when it closes. */
export interface FaultMenuRequest {
  /** A node id, or an edge `from->to`. */
  target: string;
  place: FaultPlace;
  around: Rect;
  returnFocus: HTMLElement | SVGElement | null;
}

export class Selection {
  selectedNode = $state<string | null>(null);
  /** The fault menu (context menu of a node or an edge), when open. */
  faultMenu = $state.raw<FaultMenuRequest | null>(null);
  selectedRid = $state<string | null>(null);
  /** A copy of the selected request's trace, refreshed while its events arrive. */
  selectedTrace = $state.raw<Trace | null>(null);
  /** The traces the page shows: the selected trace is read from these. */
  #traces: TraceStore | undefined;

  selectNode(id: string | null): void {
    this.selectedNode = id;
  }

  openFaultMenu(request: FaultMenuRequest): void {
    this.faultMenu = request;
  }

  /** Closes the fault menu and gives focus back to the box or edge it was opened from. */
  closeFaultMenu(): void {
    const returnFocus = this.faultMenu?.returnFocus;
    this.faultMenu = null;
    if (returnFocus?.isConnected) returnFocus.focus();
  }

  openTrace(rid: string | null): void {
    this.selectedRid = rid;
    this.#publish();
  }

  /** Reads the selected trace from `traces` from now on (the timeline switches between live and replayed). */
  showTracesOf(traces: TraceStore): void {
    this.#traces = traces;
    this.#publish();
  }

  /** The selected request's events arrived in `traces`: shows its trace again if those are the traces shown. */
  traceChanged(traces: TraceStore): void {
    if (traces === this.#traces) this.#publish();
  }

  #publish(): void {
    const trace = this.selectedRid === null ? undefined : this.#traces?.get(this.selectedRid);
    this.selectedTrace =
      trace === undefined
        ? null
        : {
            ...trace,
            hops: trace.hops.map((h) => ({ ...h, forwards: [...h.forwards], ...(h.retries ? { retries: [...h.retries] } : {}) })),
          };
  }
}
