/**
 * Lesson configs use the sandbox's fixed ports (8080, 9001, ...), which other tests and a running lab
 * may hold at the same time. For tests, every `listen` becomes 0 (any free port); upstreams are node
 * ids, so nothing else changes.
 */
import type { EdgeConfigInput } from '../engine/src/config/schema.ts';
import type { LessonAction } from './format.ts';

export function withEphemeralPorts(config: EdgeConfigInput): EdgeConfigInput {
  return { ...config, nodes: config.nodes.map((node) => ({ ...node, listen: 0 })) };
}

/** The same action, with any config it carries moved to free ports. */
export function actionWithEphemeralPorts(action: LessonAction): LessonAction {
  return action.action === 'config' ? { action: 'config', body: withEphemeralPorts(action.body) } : action;
}
