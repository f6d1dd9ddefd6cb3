import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_SHARED_BYTES, shareFragment, sharedConfig } from './share-link.ts';

// The tests run from the repository's root.
const classic = readFileSync('examples/classic-edge.yaml', 'utf8');

describe('share links', () => {
  it('round-trips a config, unicode and all, in a short URL-safe fragment', async () => {
    const yaml = `${classic}\n# café, 東京 and an emoji 🚦\n`;
    const fragment = await shareFragment(yaml);
    expect(fragment).toMatch(/^config=[A-Za-z0-9_-]+$/);
    expect(fragment.length).toBeLessThan(yaml.length);
    expect(await sharedConfig(`#${fragment}`)).toBe(yaml);
    expect(await sharedConfig(`other=1&${fragment}`)).toBe(yaml);
  });

  it('a fragment without a config holds none', async () => {
    expect(await sharedConfig('')).toBeUndefined();
    expect(await sharedConfig('#trace=abc')).toBeUndefined();
  });

  it('refuses a damaged link and one that inflates past the cap, each with its reason', async () => {
    await expect(sharedConfig('#config=not*base64')).rejects.toThrow(/not base64url/);
    const cut = (await shareFragment(classic)).slice(0, 40);
    await expect(sharedConfig(cut)).rejects.toThrow(/damaged/);
    const bomb = deflateRawSync(Buffer.alloc(MAX_SHARED_BYTES + 1, 'a')).toString('base64url');
    expect(bomb.length).toBeLessThan(2_000);
    await expect(sharedConfig(`#config=${bomb}`)).rejects.toThrow(/over 512 KB/);
  });
});
