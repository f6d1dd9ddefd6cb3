import { describe, expect, it } from 'vitest';
import { EditHistory } from './history.ts';

describe('EditHistory', () => {
  it('undoes and redoes in order, and a new edit clears what could be redone', () => {
    const history = new EditHistory<string>();
    expect([history.canUndo, history.canRedo]).toEqual([false, false]);
    history.record({ before: 'a', after: 'b', done: 'b' });
    history.record({ before: 'b', after: 'c', done: 'c' });
    expect(history.peekUndo()?.before).toBe('b');
    history.undone();
    expect(history.peekUndo()?.before).toBe('a');
    expect(history.peekRedo()?.after).toBe('c');
    history.redone();
    expect(history.peekUndo()?.done).toBe('c');
    history.undone();
    history.record({ before: 'b', after: 'd', done: 'd' });
    expect(history.canRedo).toBe(false);
  });

  it('keeps at most `limit` edits, dropping the oldest', () => {
    const history = new EditHistory<number>(2);
    for (let i = 0; i < 5; i++) history.record({ before: i, after: i + 1, done: String(i) });
    history.undone();
    history.undone();
    expect(history.canUndo).toBe(false);
    expect(history.peekRedo()?.before).toBe(3);
  });
});
