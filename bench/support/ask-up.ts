/** One request to a running `cctap up`'s loopback query endpoint, as apps/cctap/src/up/query-client.ts sends it. */
import { request } from 'node:http';

export function askUp(port: number, token: string, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/query',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const r = JSON.parse(Buffer.concat(chunks).toString('utf8')) as
            { ok: true; result: unknown } | { ok: false; error: { name: string; message: string } };
          if (r.ok) resolve(r.result);
          else reject(new Error(`${r.error.name}: ${r.error.message}`));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
