import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import { assign, createActor, fromPromise, setup, waitFor } from 'xstate';
import { ActorState } from './actor-state.svelte.ts';

const toggle = setup({
  types: { context: {} as { flips: number }, events: {} as { type: 'FLIP' } | { type: 'LOAD' } },
  actors: { load: fromPromise(async () => {}) },
}).createMachine({
  context: { flips: 0 },
  initial: 'off',
  states: {
    off: { on: { FLIP: { target: 'on', actions: assign({ flips: ({ context }) => context.flips + 1 }) }, LOAD: 'loading' } },
    on: { on: { FLIP: { target: 'off', actions: assign({ flips: ({ context }) => context.flips + 1 }) } } },
    loading: { invoke: { src: 'load', onDone: 'on' } },
  },
});

describe('ActorState', () => {
  it('starts from the actor’s current snapshot', () => {
    const state = new ActorState(createActor(toggle).start());
    expect(state.snapshot.value).toBe('off');
    state.stop();
  });

  it('follows every transition, including those the actor makes on its own', async () => {
    const actor = createActor(toggle).start();
    const state = new ActorState(actor);
    state.send({ type: 'FLIP' });
    expect(state.snapshot.value).toBe('on');
    expect(state.snapshot.context.flips).toBe(1);

    state.send({ type: 'FLIP' });
    state.send({ type: 'LOAD' });
    expect(state.snapshot.value).toBe('loading');
    await waitFor(actor, (s) => s.matches('on'));
    expect(state.snapshot.value).toBe('on');
    state.stop();
  });

  it('is reactive: a $derived of the snapshot and an effect see each change', () => {
    const state = new ActorState(createActor(toggle).start());
    const seen: string[] = [];
    const cleanup = $effect.root(() => {
      const label = $derived(`${String(state.snapshot.value)} after ${state.snapshot.context.flips} flips`);
      $effect(() => {
        seen.push(label);
      });
    });
    flushSync();
    state.send({ type: 'FLIP' });
    flushSync();
    state.send({ type: 'FLIP' });
    flushSync();
    expect(seen).toEqual(['off after 0 flips', 'on after 1 flips', 'off after 2 flips']);
    cleanup();
    state.stop();
  });

  it('stops the actor, cancelling what it was doing', () => {
    const actor = createActor(toggle).start();
    const state = new ActorState(actor);
    state.send({ type: 'LOAD' });
    state.stop();
    expect(actor.getSnapshot().status).toBe('stopped');
    expect(state.snapshot.value).toBe('loading');
  });
});
