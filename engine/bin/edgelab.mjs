#!/usr/bin/env node
// The `edgelab` command: the engine is TypeScript, run through tsx without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
