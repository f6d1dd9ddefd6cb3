/**
 * One request through the system under test before any load: proves the case answers 200 with a
 * service's JSON body (a case that answers 404 or 502 must not be benchmarked), and records the
 * response size so cases can be compared fairly.
 */
import http from 'node:http';

export function probe(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        let node;
        try {
          node = JSON.parse(body).node;
        } catch {
          node = undefined;
        }
        if (res.statusCode !== 200 || typeof node !== 'string') {
          reject(new Error(`GET ${url} answered ${res.statusCode} ${body.slice(0, 200)}`));
          return;
        }
        const headerBytes = res.rawHeaders.reduce((sum, part) => sum + part.length + 2, 0);
        resolve({ node, bodyBytes: Buffer.byteLength(body), headerBytes });
      });
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
