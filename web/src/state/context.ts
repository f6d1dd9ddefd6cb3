/** The lab state is handed down through one typed context, set once by the App. */
import { createContext } from 'svelte';
import type { LabState } from './lab-state.svelte.ts';

export const [getLab, setLab] = createContext<LabState>();
