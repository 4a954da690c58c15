/**
 * The alert receiver of the check: a node:http server that records the webhook notifications per URL path
 * (the host baseline and the containers post to different paths) as the distinct alert keys they carry.
 */
import { createServer } from 'node:http';

export async function startWebhookReceiver() {
  const keysByPath = new Map();
  let deliveries = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      deliveries++;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const keys = keysByPath.get(req.url) ?? new Set();
        for (const a of body.alerts ?? []) if (typeof a.key === 'string') keys.add(a.key);
        keysByPath.set(req.url, keys);
        res.writeHead(200).end('ok');
      } catch {
        res.writeHead(400).end('not json');
      }
    });
  });
  // Every address: the containers reach it through their network's gateway.
  await new Promise((resolve, reject) => server.once('error', reject).listen(0, '0.0.0.0', resolve));
  return {
    port: server.address().port,
    /** Distinct alert keys received on `path`, with the host part dropped (the two runs name hosts differently). */
    alerts: (path) => new Set([...(keysByPath.get(path) ?? [])].map((k) => k.replace(/\|host=[^|]*/, ''))),
    deliveries: () => deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Alert rules that fire on a backfill: one alert per session start the analyzer derives (two services). */
export function alertRules(url) {
  return {
    receivers: [{ name: 'deploy-check', type: 'webhook', url }],
    // The fixtures are history: without this, freshness keeps a backfill from firing anything.
    maxEventAge: '36500d',
    rulePack: false,
    inhibitEqual: [],
    defaults: { groupWait: '0s', groupInterval: '1s', repeatInterval: '24h', resolveAfter: '24h' },
    rules: [
      {
        name: 'session-start',
        kind: 'match',
        severity: 'info',
        source: 'derived',
        types: ['session.start'],
        groupBy: ['host', 'sessionId'],
      },
    ],
  };
}
