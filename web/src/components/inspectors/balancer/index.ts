/**
 * One view per balancing algorithm, by the engine's picker id: how that algorithm decides, drawn from
 * the engine's numbers (its picker state and the decisions it reported). Algorithms that show the
 * same quantity share a view (in-flight bars, the ring).
 */
import type { Component } from 'svelte';
import type { PickerId } from '../../../lib/balancer/algorithms.ts';
import HashRingView from './HashRingView.svelte';
import InFlightView from './InFlightView.svelte';
import MaglevView from './MaglevView.svelte';
import PeakEwmaView from './PeakEwmaView.svelte';
import RandomView from './RandomView.svelte';
import RoundRobinView from './RoundRobinView.svelte';
import type { AlgorithmViewProps } from './view-props.ts';
import WeightRaceView from './WeightRaceView.svelte';

export const ALGORITHM_VIEWS: Record<PickerId, Component<AlgorithmViewProps>> = {
  'round-robin': RoundRobinView,
  'weighted-round-robin': WeightRaceView,
  'least-connections': InFlightView,
  random: RandomView,
  p2c: InFlightView,
  'ip-hash': HashRingView,
  'consistent-hash': HashRingView,
  maglev: MaglevView,
  'peak-ewma': PeakEwmaView,
};
