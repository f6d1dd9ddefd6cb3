/**
 * A sandbox as a link: the config's YAML, deflated (the browser's CompressionStream, raw DEFLATE) and
 * written base64url in the URL's fragment, `#config=...`. The fragment never reaches a server, so the
 * link works from any copy of the lab; opening it applies the config (App.svelte). The classic edge
 * (6 nodes, comments and all) makes a link of about 600 characters.
 *
 * A link is untrusted input: its decoded text is capped (a small link must not inflate into
 * megabytes) and it is then checked by the engine like any other config.
 */

import { MAX_CONFIG_TEXT } from './text-limit.ts';

export const SHARE_PARAMETER = 'config';
/** The most text a link may inflate to: the page's limit on any config text (text-limit.ts). */
export const MAX_SHARED_BYTES = MAX_CONFIG_TEXT;

/** The fragment (without `#`) that holds `yaml`. */
export async function shareFragment(yaml: string): Promise<string> {
  const deflated = await pipeBytes(new TextEncoder().encode(yaml), new CompressionStream('deflate-raw'));
  return `${SHARE_PARAMETER}=${toBase64Url(deflated)}`;
}

/** The YAML a fragment (`#config=...` or `config=...`) holds; undefined when the fragment holds none. Throws on a damaged link. */
export async function sharedConfig(fragment: string): Promise<string | undefined> {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const encoded = params.get(SHARE_PARAMETER);
  if (encoded === null) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(encoded);
  } catch {
    throw new Error('the link is damaged: its config is not base64url');
  }
  let inflated: Uint8Array;
  try {
    inflated = await pipeBytes(bytes, new DecompressionStream('deflate-raw'), MAX_SHARED_BYTES);
  } catch (error) {
    if (error instanceof TooLarge) throw new Error(`the link's config is over ${MAX_SHARED_BYTES / 1024} KB: refused`);
    throw new Error('the link is damaged: its config does not inflate (was it cut short?)');
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(inflated);
}

class TooLarge extends Error {}

/** `bytes` through a (de)compression stream, stopping past `limit` output bytes. */
async function pipeBytes(bytes: Uint8Array, transform: CompressionStream | DecompressionStream, limit = Infinity): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => undefined);
  const reader = transform.readable.getReader();
  const parts: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      await reader.cancel();
      throw new TooLarge();
    }
    parts.push(value);
  }
  await written;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
