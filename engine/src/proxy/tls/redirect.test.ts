/** The plain-HTTP redirect: 308 to the same host and path over https at the proxy's TLS port, or 400 without a Host to keep. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect as connectTcp } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpsRedirect, httpsLocation, type RedirectAnswer } from './redirect.ts';

describe('httpsLocation', () => {
  it.each<[string | undefined, string, number, string]>([
    ['127.0.0.1:8080', '/users/1?x=2', 8443, 'https://127.0.0.1:8443/users/1?x=2'],
    ['localhost', '/', 8443, 'https://localhost:8443/'],
    ['example.test:80', '/a', 443, 'https://example.test/a'],
    ['[::1]:8080', '/a', 8443, 'https://[::1]:8443/a'],
    [undefined, '/', 8443, 'EDGE_INVALID_HOST'],
    ['evil.test/path', '/', 8443, 'EDGE_INVALID_HOST'],
    ['a b', '/', 8443, 'EDGE_INVALID_HOST'],
    ['127.0.0.1', '*', 8443, 'EDGE_BAD_REQUEST'],
    ['127.0.0.1', 'http://other.test/', 8443, 'EDGE_BAD_REQUEST'],
  ])('Host %s, target %s, TLS port %i: %s', (host, target, port, location) => {
    expect(httpsLocation(host, target, port)).toBe(location);
  });
});

describe('createHttpsRedirect', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  const answers: RedirectAnswer[] = [];
  async function start(httpsPort: number): Promise<number> {
    answers.length = 0;
    const server = createHttpsRedirect(() => httpsPort, (_req, answer) => answers.push(answer));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    stop = async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
    };
    return (server.address() as AddressInfo).port;
  }

  it.each(['GET', 'POST'])('answers %s with 308 to the same host and path over https, keeping the method', async (method) => {
    const port = await start(8443);
    const response = await request(`http://127.0.0.1:${port}/users/1?page=2`, { method, body: method === 'POST' ? '{}' : undefined });
    expect(response.statusCode).toBe(308);
    expect(response.headers.location).toBe('https://127.0.0.1:8443/users/1?page=2');
    expect(await response.body.text()).toBe('');
    expect(answers).toMatchObject([{ rid: response.headers['x-request-id'], status: 308, location: 'https://127.0.0.1:8443/users/1?page=2' }]);
  });

  it('refuses a request whose Host cannot be redirected, with its code, and closes', async () => {
    const port = await start(8443);
    const socket = connectTcp(port, '127.0.0.1');
    socket.end('GET / HTTP/1.1\r\nhost: bad/host\r\n\r\n');
    let reply = '';
    for await (const chunk of socket) reply += chunk;
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(reply).toContain('x-edgelab-error: EDGE_INVALID_HOST\r\n');
    expect(reply).toContain('connection: close\r\n');
    expect(answers).toMatchObject([{ status: 400, error: 'EDGE_INVALID_HOST' }]);
    expect(reply).toContain(`x-request-id: ${answers[0].rid}\r\n`);
  });
});
