/**
 * Checks that a fault can be put where it is aimed, against a config: the node exists (and is a service
 * for `overload`), an edge `from->to` is one of `from`'s upstream links, and the type fits a node or an
 * edge. A config's `scenario:` is checked the same way, plus overlaps: two steps of the same type on the
 * same target whose times overlap are an error, because which one holds would be a guess.
 * Every error names its path, as the config's other errors do.
 */
import { upstreamsOf, type ConfigError } from '../config/edges.ts';
import { isExternalUrl } from '../config/upstream.ts';
import type { EdgeConfigParsed } from '../config/schema.ts';
import { formatDuration } from '../config/duration.ts';
import { FAULT_PLACES, parseTarget, REQUEST_FAULTS, type FaultSpec, type ScenarioStep } from './spec.ts';

/** Errors of one fault spec against `config`; `at` is the path prefix (`''` for an API body, `scenario[2].` in a config). */
export function checkFaultTarget(spec: FaultSpec, config: EdgeConfigParsed, at = ''): ConfigError[] {
  const path = `${at}target`;
  const parsed = parseTarget(spec.target);
  if (!parsed) return [{ path, message: `expected a node id or an edge "from->to", got ${JSON.stringify(spec.target)}` }];
  const place = FAULT_PLACES[spec.type];
  const nodes = new Map(config.nodes.map((n, i) => [n.id, { node: n, index: i }]));

  if (parsed.node !== undefined) {
    const found = nodes.get(parsed.node);
    if (!found) return [{ path, message: `unknown node "${parsed.node}"` }];
    if (place === 'edge') return [{ path, message: `"${spec.type}" applies to an edge "from->to", not to a node` }];
    if (place === 'service' && found.node.kind !== 'service') {
      return [{ path, message: `"${spec.type}" applies to a service node; "${parsed.node}" is a ${found.node.kind}` }];
    }
    if (REQUEST_FAULTS.has(spec.type) && isL4(found.node)) {
      return [
        {
          path,
          message: `"${spec.type}" acts on HTTP requests; "${parsed.node}" is an l4 balancer that only relays bytes (put it on a target)`,
        },
      ];
    }
    return [];
  }

  const { from, to } = parsed.edge;
  const sender = nodes.get(from);
  if (!sender) return [{ path, message: `unknown node "${from}"` }];
  const links = upstreamsOf(sender.node, sender.index).map((u) => u.to);
  if (!links.includes(to)) {
    const known = nodes.has(to) || isExternalUrl(to) ? '' : ` (and there is no node "${to}")`;
    return [{ path, message: `"${from}" does not send to "${to}"${known}; its upstreams: ${links.join(', ') || 'none'}` }];
  }
  if (place === 'node' || place === 'service') return [{ path, message: `"${spec.type}" applies to a node, not to an edge` }];
  if (spec.type === 'partition') {
    if (isL4(sender.node))
      return [{ path, message: `"partition" is applied by the sender's connection pool; "${from}" is an l4 balancer` }];
    return [];
  }
  // The other edge types are applied by the receiving node, to requests from the sender.
  if (isExternalUrl(to))
    return [
      {
        path,
        message: `"${spec.type}" is applied by the receiving node, and "${to}" is not run by the engine; only "partition" works on this edge`,
      },
    ];
  const receiver = nodes.get(to)!.node;
  if (isL4(receiver)) return [{ path, message: `"${spec.type}" acts on HTTP requests; "${to}" is an l4 balancer that only relays bytes` }];
  if (isL4(sender.node))
    return [
      {
        path,
        message: `"${spec.type}" on an edge from an l4 balancer is not supported: the receiver sees the requests as sent by the node before it`,
      },
    ];
  return [];
}

/** A balancer in `mode: l4` relays TCP connections: it has no HTTP requests to delay or fail. */
function isL4(node: EdgeConfigParsed['nodes'][number]): boolean {
  return node.kind === 'balancer' && (node as { mode?: string }).mode === 'l4';
}

/** Every error of a config's `scenario:`: bad targets, then overlapping steps of the same type on the same target. */
export function checkScenario(config: EdgeConfigParsed): ConfigError[] {
  const steps: readonly ScenarioStep[] = config.scenario ?? [];
  const errors: ConfigError[] = [];
  steps.forEach((step, i) => errors.push(...checkFaultTarget(step, config, `scenario[${i}].`)));
  steps.forEach((step, i) => {
    for (let j = 0; j < i; j++) {
      const other = steps[j];
      if (other.type !== step.type || other.target !== step.target) continue;
      if (step.at < end(other) && other.at < end(step)) {
        errors.push({ path: `scenario[${i}]`, message: `overlaps scenario[${j}] (${other.type} on ${other.target} ${span(other)})` });
        break;
      }
    }
  });
  return errors;
}

function end(step: ScenarioStep): number {
  return step.for === undefined ? Infinity : step.at + step.for;
}

function span(step: ScenarioStep): string {
  const from = step.at === 0 ? 'from the start' : `from ${formatDuration(step.at)}`;
  return step.for === undefined ? `${from} to the end` : `${from} until ${formatDuration(step.at + step.for)}`;
}
