/**
 * TLS termination on a proxy node (issue 11 section 2). Extend, never rename (ARCHITECTURE.md):
 *
 *   tls: true                                          # a self-signed certificate made at start (localhost, 127.0.0.1, ::1)
 *   tls: { cert: certs/edge.pem, key: certs/edge.key } # a certificate and key from PEM files
 *   tls: { redirectHttp: 8080, http2: false }          # self-signed, plain HTTP on 8080 redirected (308), HTTP/1.1 only
 *
 * With TLS the proxy speaks HTTP/2 and HTTP/1.1 to clients (chosen by ALPN) and HTTP/1.1 behind. The
 * files are read when the node starts, not here: a config is checked without touching the disk, and
 * a file that cannot be read is an error naming its field then (proxy/tls/certificate.ts).
 */
import { z } from 'zod';
import { limitedString } from '../fields.ts';
import { LIMITS } from '../limits.ts';

const PemFile = limitedString(LIMITS.pathLength)
  .min(1, 'expected a file path')
  .meta({ description: 'a PEM file, relative to the working directory or absolute' });

const TlsOptions = z
  .strictObject({
    cert: PemFile.optional().meta({
      description: 'the certificate (PEM; the leaf first, then its chain); with key. Without both, a self-signed one is made at start',
    }),
    key: PemFile.optional().meta({ description: "the certificate's private key (PEM, unencrypted); with cert" }),
    http2: z
      .boolean()
      .default(true)
      .meta({ description: 'offer HTTP/2 by ALPN beside HTTP/1.1 (default true); false speaks HTTP/1.1 only' }),
    redirectHttp: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .meta({
        description: 'a port on 127.0.0.1 where plain HTTP is answered 308 to the same host and path over https (0 picks a free one)',
      }),
  })
  .superRefine((tls, ctx) => {
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      const missing = tls.cert === undefined ? 'cert' : 'key';
      ctx.addIssue({
        code: 'custom',
        path: [missing],
        message: `required with ${missing === 'cert' ? 'key' : 'cert'}: give both files, or neither for a self-signed certificate`,
      });
    }
  });

const TlsSchema = z.union([z.boolean(), TlsOptions]).meta({
  description: 'HTTPS on this proxy: true for a self-signed certificate made at start, or { cert, key } files; HTTP/2 and HTTP/1.1 by ALPN',
});

/** The proxy's own field: `tls`. */
export const ProxyTlsFields = {
  tls: TlsSchema.optional(),
};

export type TlsConfig = z.output<typeof TlsSchema>;

/** What a TLS proxy is set up from, whichever way the config wrote it. */
export interface TlsSettings {
  /** The files to load; undefined for a self-signed certificate made at start. */
  files: { cert: string; key: string } | undefined;
  http2: boolean;
  redirectHttp: number | undefined;
}

/** The settings of `tls` as written (`true`, `{...}`), or undefined when the proxy speaks plain HTTP. */
export function tlsSettings(tls: TlsConfig | undefined): TlsSettings | undefined {
  if (tls === undefined || tls === false) return undefined;
  if (tls === true) return { files: undefined, http2: true, redirectHttp: undefined };
  const files = tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : undefined;
  return { files, http2: tls.http2, redirectHttp: tls.redirectHttp };
}

/**
 * The check across the proxy's fields: the redirect listens on a port of its own, so it cannot be the
 * port the proxy listens on (0 picks a free port for each).
 */
export function checkProxyTls(proxy: { listen: number; tls?: TlsConfig }, ctx: z.RefinementCtx): void {
  const redirect = typeof proxy.tls === 'object' ? proxy.tls.redirectHttp : undefined;
  if (redirect !== undefined && redirect !== 0 && redirect === proxy.listen) {
    ctx.addIssue({
      code: 'custom',
      path: ['tls', 'redirectHttp'],
      message: `the proxy listens with TLS on ${proxy.listen}: plain HTTP needs a port of its own`,
    });
  }
}

/**
 * A traffic flow's connection fields: `http2`, and `keepAlive`, which decides how many TLS handshakes
 * a flow costs a TLS proxy (one per request without it; one per connection with it, or with HTTP/2).
 */
export const TrafficConnectionFields = {
  http2: z.boolean().optional().meta({
    description: 'speak HTTP/2 (chosen by ALPN) to a TLS proxy or an https URL, instead of HTTP/1.1 (default false)',
  }),
  keepAlive: z.boolean().optional().meta({
    description:
      'HTTP/1.1: keep connections open for the next request (default true); false sends Connection: close and opens a new connection (and TLS handshake) per request. An HTTP/2 connection always carries every request of its client',
  }),
};
