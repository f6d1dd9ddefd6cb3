/**
 * What a settings form needs (the config's JSON Schema, the form models, the form itself), in one
 * module that the inspectors import when a form is first shown: the schema and the YAML parser behind
 * the fields are the larger part of the page's code, and a node's inspector opens without them.
 */
export { CONFIG_SCHEMA } from '../../lib/config-editor/config-schema.ts';
export { nodeForm, scenarioForm } from '../../lib/config-form/form-model.ts';
export { default as PartSettings } from './PartSettings.svelte';
