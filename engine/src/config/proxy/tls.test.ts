/** The tls field: the shapes from issue 11 are accepted and normalised; every bad input names its field. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateConfig } from '../validate.ts';
import { checkProxyTls, ProxyTlsFields, tlsSettings, type TlsConfig } from './tls.ts';

const config = (tls: unknown, listen = 0) => ({
  version: 1,
  nodes: [
    { id: 'edge', kind: 'proxy', listen, to: 's', tls },
    { id: 's', kind: 'service' },
  ],
});
const errorsOf = (input: unknown) => {
  const result = validateConfig(input);
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
};
const parsedTls = (tls: unknown): TlsConfig | undefined => {
  const result = validateConfig(config(tls));
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  const node = result.config.nodes[0];
  return node.kind === 'proxy' ? node.tls : undefined;
};

describe('tls on a proxy', () => {
  it.each<[string, unknown, ReturnType<typeof tlsSettings>]>([
    ['tls: true (self-signed, issue 11)', true, { files: undefined, http2: true, redirectHttp: undefined }],
    ['tls: false (plain HTTP)', false, undefined],
    [
      'cert and key files (issue 11)',
      { cert: 'certs/edge.pem', key: 'certs/edge.key' },
      { files: { cert: 'certs/edge.pem', key: 'certs/edge.key' }, http2: true, redirectHttp: undefined },
    ],
    [
      'self-signed with a redirect, HTTP/1.1 only',
      { redirectHttp: 8080, http2: false },
      { files: undefined, http2: false, redirectHttp: 8080 },
    ],
    ['an empty object (self-signed, defaults)', {}, { files: undefined, http2: true, redirectHttp: undefined }],
  ])('accepts %s', (_what, tls, settings) => {
    expect(tlsSettings(parsedTls(tls))).toEqual(settings);
  });

  it('leaves a proxy without tls on plain HTTP', () => {
    expect(tlsSettings(parsedTls(undefined))).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    [
      'a cert without its key',
      { cert: 'a.pem' },
      'nodes[0].tls.key: required with cert: give both files, or neither for a self-signed certificate',
    ],
    [
      'a key without its cert',
      { key: 'a.key' },
      'nodes[0].tls.cert: required with key: give both files, or neither for a self-signed certificate',
    ],
    ['an empty path', { cert: '', key: 'a.key' }, 'nodes[0].tls.cert: expected a file path'],
    ['a misspelt field', { certificate: 'a.pem' }, 'nodes[0].tls.certificate: unknown key'],
    ['a redirect port out of range', { redirectHttp: 70000 }, 'nodes[0].tls.redirectHttp: must be at most 65535, got 70000'],
    ['a string', 'yes', 'nodes[0].tls: expected true or false, got "yes" (YAML reads it as text: write true)'],
  ])('refuses %s, naming the field', (_what, tls, error) => {
    expect(errorsOf(config(tls))).toContain(error);
  });

  describe('checkProxyTls (the redirect on a port of its own)', () => {
    const Proxy = z.strictObject({ listen: z.number(), ...ProxyTlsFields }).superRefine(checkProxyTls);
    const issues = (input: unknown) => {
      const result = Proxy.safeParse(input);
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };

    it('refuses the redirect on the port the proxy listens on', () => {
      expect(issues({ listen: 8443, tls: { redirectHttp: 8443 } })).toEqual([
        'tls.redirectHttp: the proxy listens with TLS on 8443: plain HTTP needs a port of its own',
      ]);
    });

    it('takes another port, or 0 for both (each picks its own free port)', () => {
      expect(issues({ listen: 8443, tls: { redirectHttp: 8080 } })).toEqual([]);
      expect(issues({ listen: 0, tls: { redirectHttp: 0 } })).toEqual([]);
      expect(issues({ listen: 8443, tls: true })).toEqual([]);
    });
  });
});

describe('tls across the topology', () => {
  it('runs: no warning, for true as for false', () => {
    expect(validateConfig(config(true))).toMatchObject({ ok: true, warnings: [] });
    expect(validateConfig(config(false))).toMatchObject({ ok: true, warnings: [] });
  });

  const chain = (front: Record<string, unknown>) => ({
    version: 1,
    nodes: [front, { id: 'edge', kind: 'proxy', to: 's', tls: true }, { id: 's', kind: 'service' }],
    traffic: [{ to: front.id, rate: 1 }],
  });

  it('refuses an engine hop into a TLS proxy (hops speak plain HTTP/1.1), naming the field', () => {
    expect(errorsOf(chain({ id: 'lb', kind: 'balancer', targets: ['edge'] }))).toEqual([
      'nodes[0].targets[0]: "edge" listens with TLS, and "lb" forwards over plain HTTP/1.1: put the TLS proxy first in the chain, or an l4 balancer in front of it',
    ]);
  });

  it('takes an l4 balancer in front of a TLS proxy: it relays the encrypted bytes unread', () => {
    expect(errorsOf(chain({ id: 'lb', kind: 'balancer', mode: 'l4', targets: ['edge'] }))).toEqual([]);
  });

  it('takes traffic http2 to a TLS proxy or an https URL, and refuses it to plain HTTP', () => {
    const withFlow = (to: string) => ({ ...config(true), traffic: [{ to, rate: 1, http2: true }] });
    expect(errorsOf(withFlow('edge'))).toEqual([]);
    expect(errorsOf({ ...withFlow('https://example.test') })).toEqual([]);
    expect(errorsOf({ ...config(false), traffic: [{ to: 'edge', rate: 1, http2: true }] })).toEqual([
      'traffic[0].http2: HTTP/2 runs over TLS here: "edge" is not a TLS proxy or an https URL',
    ]);
    expect(errorsOf({ ...config(true), traffic: [{ to: 'edge', rate: 1, http2: 'yes' }] })).toEqual([
      'traffic[0].http2: expected true or false, got "yes" (YAML reads it as text: write true)',
    ]);
  });
});
