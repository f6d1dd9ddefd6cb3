/**
 * What a lesson action does, in the learner's words, so "Show me" says what it is about to change
 * (and the learner can do the same with the page's own controls next time).
 */
import type { LessonAction } from '../../../../lessons/format.ts';

export function describeAction(action: LessonAction): string {
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
    case 'config':
      return `apply the config “${action.body.name ?? 'Untitled sandbox'}”`;
    case 'wait':
      return `wait ${action.ms >= 1000 ? `${action.ms / 1000} s` : `${action.ms} ms`}`;
  }
}

/** A whole solution as one sentence: "start the traffic at 20 req/s, then stop users-2". */
export function describeSolution(actions: readonly LessonAction[]): string {
  const text = actions.map(describeAction).join(', then ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
