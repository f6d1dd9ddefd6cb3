/**
 * The Export button's two halves: the running config as YAML (the format the CLI and the examples
 * use) and the name of the file, `<config name>.yaml`, with the characters file systems refuse removed.
 */
import { stringify } from 'yaml';

export function configToYaml(config: unknown): string {
  const name = typeof config === 'object' && config !== null ? (config as { name?: unknown }).name : undefined;
  const header = `# ${typeof name === 'string' ? name : 'EdgeLab config'}, exported from EdgeLab.\n# Run it headless: npx edgelab run <this file>\n`;
  return header + stringify(config, { lineWidth: 0 });
}

export function exportFileName(name: unknown): string {
  const base = typeof name === 'string' ? name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '-').trim() : '';
  return `${base === '' || base === '.' || base === '..' ? 'edgelab' : base}.yaml`;
}
