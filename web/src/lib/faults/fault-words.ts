/**
 * Faults in words, from the engine's own description of each (FaultInfo: the spec with every default
 * filled in, durations in ms): the parameters as a phrase for the faults panel, a short label for the
 * marker on a node or an edge, and what starting or ending one does, for the event log. Markers carry
 * text and an icon shape, never colour alone.
 */
import type { Fault } from '../api-types.ts';
import { formatMs } from '../format.ts';
import { FAULT_EFFECTS, isFaultType } from './fault-forms.ts';

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function bytesPerSecond(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB/s`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB/s`;
  return `${Math.round(n)} B/s`;
}

/** The parameters as a phrase: "300 ms ± 50 ms added to each request". Empty for types without any. */
export function faultParameters(fault: Fault): string {
  switch (fault.type) {
    case 'latency':
      return `${formatMs(fault.ms)}${fault.jitter > 0 ? ` ± ${formatMs(fault.jitter)}` : ''} added to each request`;
    case 'errors':
      return `${percent(fault.rate)} of requests answered ${fault.status}`;
    case 'reset':
      return fault.after > 0 ? `reset ${formatMs(fault.after)} after arrival if not answered` : 'reset as soon as a request arrives';
    case 'bandwidth':
      return `at most ${bytesPerSecond(fault.bytesPerSecond)}`;
    case 'slow-close':
      return `close held ${formatMs(fault.delay)}`;
    case 'flap':
      return `down ${formatMs(fault.downFor ?? fault.period / 2)} of every ${formatMs(fault.period)}`;
    case 'partition':
      return fault.mode === 'reject' ? 'reject: connections refused at once' : 'drop: connects hang until the connect timeout';
    case 'overload':
      return `capacity cut to ${fault.capacity} at once`;
    default:
      return '';
  }
}

/** A node's marker: "latency +300 ms", "errors 50% → 503", "hang", "down", "flap". */
export function markerLabel(fault: Fault): string {
  switch (fault.type) {
    case 'latency':
      return `latency +${formatMs(fault.ms)}`;
    case 'errors':
      return `errors ${percent(fault.rate)} → ${fault.status}`;
    case 'bandwidth':
      return `bandwidth ${bytesPerSecond(fault.bytesPerSecond)}`;
    case 'slow-close':
      return `slow close ${formatMs(fault.delay)}`;
    case 'overload':
      return `overload: ${fault.capacity} at once`;
    default:
      return fault.type;
  }
}

/** An edge's label, shorter (edges are short): "partition", "+300 ms", "errors 50%". */
export function edgeLabel(fault: Fault): string {
  switch (fault.type) {
    case 'latency':
      return `+${formatMs(fault.ms)}`;
    case 'errors':
      return `errors ${percent(fault.rate)}`;
    case 'bandwidth':
      return bytesPerSecond(fault.bytesPerSecond);
    case 'slow-close':
      return 'slow close';
    default:
      return fault.type;
  }
}

/** The label for several faults on one place: the first, and how many more. */
export function combinedLabel(faults: readonly Fault[], label: (fault: Fault) => string): string {
  if (faults.length === 0) return '';
  return faults.length === 1 ? label(faults[0]) : `${label(faults[0])} +${faults.length - 1}`;
}

/** One sentence for a target and its faults, for a screen reader: "latency: 300 ms added to each request; hang". */
export function faultsSentence(faults: readonly Fault[]): string {
  return faults
    .map((f) => {
      const params = faultParameters(f);
      return params === '' ? f.type : `${f.type}: ${params}`;
    })
    .join('; ');
}

/** What a fault starting or ending does, for the event log. */
export function faultEffect(fault: Fault, started: boolean): string {
  if (!isFaultType(fault.type)) return '';
  if (!started) {
    switch (fault.type) {
      case 'down':
        return 'it listens again';
      case 'flap':
        return 'it stays up';
      case 'hang':
        return 'held requests are released and handled';
      case 'partition':
        return 'connections on the edge work again';
      case 'overload':
        return 'its capacity is back to the configured one';
      default:
        return 'requests are handled normally again';
    }
  }
  const params = faultParameters(fault);
  if (fault.type === 'down') return 'its listener is closed, connections are refused';
  return params === '' ? FAULT_EFFECTS[fault.type] : `${FAULT_EFFECTS[fault.type]} (${params})`;
}

/** How long a fault has been active, from the engine's start time: "8 s", "2 min 05 s". */
export function activeFor(startedAt: number, now: number): string {
  const seconds = Math.max(0, Math.floor((now - startedAt) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
