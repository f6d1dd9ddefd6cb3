import type { Lesson, RatioGoal } from './format.ts';
import { reachedService } from './proxy-goals.ts';

/** How the sandbox's clients connect, and whether the proxy terminates TLS. */
export interface TlsSandbox {
  tls: boolean;
  /** The proxy's `tls` as written, when `tls` is on: `true`, or settings such as `{ http2: false }`. */
  tlsSettings?: true | { http2: boolean };
  keepAlive: boolean;
  http2: boolean;
}

/**
 * A proxy in front of a shop; the shoppers start as clients that open a new connection for every
 * request (`keepAlive: false`, as a script calling curl in a loop does). Each step's fix is a switch of
 * the proxy inspector (TLS) or of the traffic panel (keep-alive, HTTP/2), each an edit of this config.
 */
const sandbox = ({ tls, tlsSettings = true, keepAlive, http2 }: TlsSandbox) => ({
  version: 1 as const,
  name: 'TLS termination',
  nodes: [
    { id: 'edge', kind: 'proxy' as const, listen: 8443, to: 'shop', label: 'Reverse proxy', ...(tls && { tls: tlsSettings }) },
    { id: 'shop', kind: 'service' as const, listen: 9001, latency: '20ms' },
  ],
  traffic: [
    {
      name: 'shoppers',
      to: 'edge',
      rate: 20,
      clients: 4,
      paths: ['/products/{1..50}'],
      ...(!keepAlive && { keepAlive: false }),
      ...(http2 && { http2: true }),
    },
  ],
});

export { sandbox as tlsSandbox };

const TLS_REQUESTS = ['tls.requests.h2', 'tls.requests.http/1.1'] as const;

/** The share of `edge`'s requests that arrived over TLS. */
export const arrivedEncrypted = (atLeast: number): RatioGoal => ({
  type: 'ratio',
  label: 'the share of edge’s requests that arrived encrypted',
  counted: 'requests at edge',
  part: { node: 'edge', metrics: [...TLS_REQUESTS] },
  whole: { node: 'edge', metrics: ['requests'] },
  atLeast,
  op: '>=',
  value: 0.95,
});

/**
 * New TLS handshakes per request that came over TLS: 1 when every request opens its own connection,
 * near 0 when connections carry many. Judged over TLS requests only, so turning TLS off never meets it.
 */
export const handshakesPerRequest = (atLeast: number): RatioGoal => ({
  type: 'ratio',
  label: 'edge’s new TLS handshakes per encrypted request',
  counted: 'encrypted requests',
  part: { node: 'edge', metrics: ['tls.handshakes'] },
  whole: { node: 'edge', metrics: [...TLS_REQUESTS] },
  atLeast,
  op: '<=',
  value: 0.1,
});

export const tlsTermination: Lesson = {
  id: 'tls-termination',
  title: 'TLS termination',
  track: 'reverse-proxy',
  summary:
    'The reverse proxy is where encryption ends: clients speak HTTPS to it, the services behind it plain HTTP. Then make the handshakes cheap: keep connections open, and speak HTTP/2.',
  startConfig: sandbox({ tls: false, keepAlive: false, http2: false }),
  steps: [
    {
      id: 'terminate-tls-at-the-edge',
      title: 'Terminate TLS at the edge',
      body: [
        'Shoppers call `edge`, which forwards to `shop`. Everything travels in plain HTTP: anyone on the path can read the requests and answers, cookies and all.',
        'Make `edge` listen with HTTPS: `tls: true` gives it a certificate made at start (self-signed, for `localhost` and `127.0.0.1`; the proxy inspector shows its fingerprint and where it was written, so `curl --cacert` can trust it). The proxy inspector’s **TLS** switch does the same.',
        'The shoppers follow: a client of the lab speaks https to a proxy that listens with TLS, trusting that proxy’s own certificate, as a browser follows a site that moved to https. Behind `edge` nothing changes: `shop` still hears plain HTTP/1.1, with `X-Forwarded-Proto: https` so it knows the client’s request was encrypted. The diagram draws the clients’ edge as an encrypted tube, the hop behind it plain.',
        'The goal: at least 95% of `edge`’s requests arrive encrypted, and they still reach `shop`.',
      ].join('\n\n'),
      goal: { all: [arrivedEncrypted(100), reachedService('edge', 'shop', '>=', 0.95, 100)] },
      hints: [
        'Traffic is stopped: press "Resume traffic" at the top. TLS belongs to the reverse proxy, `edge`.',
        'Select `edge` and turn on its TLS switch (or, in its "Settings", set `tls` to on).',
        'Turn `edge`’s TLS on (its switch in the inspector applies at once), and keep the traffic running: the shoppers switch to https by themselves.',
      ],
      solution: [
        { action: 'config', body: sandbox({ tls: true, keepAlive: false, http2: false }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
    {
      id: 'one-handshake-many-requests',
      title: 'One handshake, many requests',
      body: [
        'Open `edge` in the inspector and compare **handshakes** with **requests over TLS**: they grow together. The shoppers open a new connection for every request (`keepAlive: false`, as a script calling curl in a loop does), and each new connection starts with a TLS handshake: key exchange and certificate check, a round trip and public-key work on the proxy before the first byte of the request. **Last connections** lists them with the time each took.',
        'HTTP/1.1 keep-alive lets a connection carry the next request: one handshake, many requests. In the traffic panel, turn the shoppers’ **keep-alive** on.',
        'The goal: at most one new handshake per ten encrypted requests, over at least 150 of them. Turning TLS off stops the handshakes too, but this goal counts only encrypted requests.',
      ].join('\n\n'),
      goal: handshakesPerRequest(150),
      hints: [
        'The handshakes are paid by the clients’ connections: the fix is in how the shoppers connect, not in `shop`.',
        'In the traffic panel, the shoppers flow has a keep-alive switch; it is off.',
        'Turn the shoppers’ keep-alive on (or, in the "Clients" box’s settings, set the flow’s `keepAlive` to on), and keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox({ tls: true, keepAlive: true, http2: false }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
    {
      id: 'speak-http2',
      title: 'Speak HTTP/2',
      body: [
        'With TLS, `edge` offers two protocols during the handshake (ALPN): `h2` and `http/1.1`. The shoppers only ask for HTTP/1.1, which answers one request at a time per connection: a client with two requests at once opens a second connection, and pays a second handshake.',
        'HTTP/2 multiplexes: one connection per client carries all its requests at once, as streams. Browsers speak it to any site that offers it over TLS. In the traffic panel, turn the shoppers’ **HTTP/2** on. Behind `edge`, `shop` still hears HTTP/1.1: the proxy translates.',
        'The goal: at least 95% of the encrypted requests arrive as HTTP/2, and handshakes stay at most one per ten requests. The inspector’s **h2** count and the connections list show what ALPN chose.',
      ].join('\n\n'),
      goal: {
        all: [
          {
            type: 'ratio',
            label: 'the share of edge’s encrypted requests that came as HTTP/2',
            counted: 'encrypted requests',
            part: { node: 'edge', metrics: ['tls.requests.h2'] },
            whole: { node: 'edge', metrics: [...TLS_REQUESTS] },
            atLeast: 100,
            op: '>=',
            value: 0.95,
          },
          handshakesPerRequest(100),
        ],
      },
      hints: [
        'Both sides must agree on HTTP/2 during the handshake: `edge` already offers it (its inspector lists `h2, http/1.1`).',
        'The clients choose: the shoppers flow in the traffic panel has an HTTP/2 switch.',
        'Turn the shoppers’ HTTP/2 on (or, in the "Clients" box’s settings, set the flow’s `http2` to on), and keep the traffic running.',
      ],
      solution: [
        { action: 'config', body: sandbox({ tls: true, keepAlive: true, http2: true }) },
        { action: 'traffic', body: { action: 'start' } },
      ],
    },
  ],
};
