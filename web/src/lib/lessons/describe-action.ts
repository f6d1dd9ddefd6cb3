/**
 * What a lesson action does, in the learner's words, so "Show me" says what it is about to change
 * (and the learner can do the same with the page's own controls next time): a config is told by what it
 * changes against the config `before` it, and where on the page that is done (config-changes.ts).
 */
import type { EdgeConfigInput } from '../../../../engine/src/config/schema.ts';
import type { LessonAction } from '../../../../lessons/format.ts';
import { configChanges } from './config-changes.ts';

export function describeAction(action: LessonAction, before?: EdgeConfigInput): string {
  switch (action.action) {
    case 'traffic': {
      if (action.body.action === 'stop') return 'stop the traffic';
      const { action: _start, rate, ...rest } = action.body;
      const changed = Object.keys(rest);
      const rateText = rate === undefined ? '' : ` at ${rate} req/s`;
      return `start the traffic${rateText}${changed.length > 0 ? ` (with its ${changed.join(', ')} changed)` : ''}`;
    }
    case 'fault':
      return action.body.type === 'down'
        ? `stop ${action.body.target} (a “down” fault)`
        : `inject a “${action.body.type}” fault on ${action.body.target}`;
    case 'clearFaults':
      return 'clear every fault (stopped services start again)';
    case 'config': {
      const named = `apply the config “${action.body.name ?? 'Untitled sandbox'}”`;
      const changes = before === undefined ? [] : configChanges(before, action.body);
      return changes.length === 0 ? named : `${named} (${changes.join('; ')})`;
    }
    case 'wait':
      return `wait ${action.ms >= 1000 ? `${action.ms / 1000} s` : `${action.ms} ms`}`;
  }
}

/** A whole solution as one sentence: "start the traffic at 20 req/s, then stop users-2"; `before` is the config it starts from. */
export function describeSolution(actions: readonly LessonAction[], before?: EdgeConfigInput): string {
  let config = before;
  const text = actions
    .map((action) => {
      const said = describeAction(action, config);
      if (action.action === 'config') config = action.body;
      return said;
    })
    .join(', then ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
