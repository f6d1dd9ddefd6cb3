/** The picker registry: kebab-case id -> factory. The config, the events, the UI and lessons use these ids. */
import type { PICKER_IDS } from '../../config/schema.ts';
import type { PickerFactory } from '../picker.ts';
import { roundRobin } from './round-robin.ts';

export const PICKERS: Record<(typeof PICKER_IDS)[number], PickerFactory> = {
  'round-robin': roundRobin,
};
