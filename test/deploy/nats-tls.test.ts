/**
 * TLS for NATS, as the `tls` component of deploy/k8s wires it: three real nats-server nodes from
 * deploy/nats/nats-cluster-tls.conf with a CA and certificate made by openssl. Clients must speak TLS and
 * trust the server only through the CA file; routes between the nodes are TLS both ways and refuse a peer
 * without a certificate from the CA; the built `cctap provision` and a `cctap validator` connect with
 * CCTAP_NATS_TLS_CA, the environment the component gives the pods.
 */
import { connect as tlsConnect } from 'node:tls';
import { connect as tcpConnect, type Socket } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { freePort } from '../support/free-port.js';
import { cli, exitWithin, startCctap, waitUntil } from '../e2e/support/run-cctap.js';
import { startTlsNatsCluster, type TlsNatsCluster } from './support/nats-tls-cluster.js';
import { makeTlsFiles, type TlsFiles } from './support/tls-certs.js';

/**
 * The first line a peer receives on the socket `open` makes, or `closed` when the server ends the connection
 * before sending one. Neither within 10 s fails the test: waiting is no proof of a refusal.
 */
function firstLine(open: () => Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = open();
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('the server neither answered nor closed within 10 s'));
    }, 10_000);
    const done = (v: string) => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('\r\n')) done(got.split('\r\n')[0]!);
    });
    s.on('error', () => done('closed'));
    s.on('close', () => done('closed'));
  });
}

interface Connz {
  connections: { name?: string; tls_version?: string }[];
}

describe('deploy/nats/nats-cluster-tls.conf: TLS on the client port and on the routes', () => {
  let tls: TlsFiles;
  let stranger: TlsFiles;
  let cluster: TlsNatsCluster;

  beforeAll(async () => {
    tls = makeTlsFiles();
    stranger = makeTlsFiles('another CA');
    cluster = await startTlsNatsCluster(tls);
  }, 60_000);

  afterAll(async () => {
    await cluster?.dispose();
    for (const t of [tls, stranger]) if (t) rmSync(t.dir, { recursive: true, force: true });
  });

  it('requires TLS of clients and is trusted only through the CA', async () => {
    const node = cluster.nodes[0]!;
    const info = await firstLine(() => tcpConnect(node.port, '127.0.0.1'));
    expect(JSON.parse(info.replace(/^INFO /, ''))).toMatchObject({ tls_required: true });
    const url = `nats://127.0.0.1:${node.port}`;
    const nc = await connect({ servers: url, tls: { caFile: tls.ca }, reconnect: false });
    await nc.flush();
    await nc.close();
    // The system's roots, or another CA, do not vouch for the server's certificate.
    await expect(connect({ servers: url, reconnect: false, timeout: 5_000 })).rejects.toThrow();
    await expect(
      connect({ servers: url, tls: { caFile: stranger.ca }, reconnect: false, timeout: 5_000 }),
    ).rejects.toThrow();
  });

  it('routes speak TLS and refuse a peer without a certificate from the CA', async () => {
    const node = cluster.nodes[1]!;
    const ca = readFileSync(tls.ca);
    const peer = (extra: { cert?: Buffer; key?: Buffer }) => () =>
      tlsConnect({ host: '127.0.0.1', port: node.routePort, ca, servername: 'localhost', ...extra });
    const withCert = await firstLine(peer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }));
    expect(JSON.parse(withCert.replace(/^INFO /, ''))).toMatchObject({ cluster: 'cctap', tls_verify: true });
    expect(await firstLine(peer({}))).toBe('closed');
    // Plain TCP gets nothing either: the route port starts with the TLS handshake.
    expect(await firstLine(() => tcpConnect(node.routePort, '127.0.0.1'))).toBe('closed');
  });

  it('cctap provision and the validator connect with CCTAP_NATS_TLS_CA', async () => {
    const env = { NATS_URL: cluster.servers, CCTAP_NATS_TLS_CA: tls.ca };
    // One replica: what is under test is the connection, and R3 streams take the cluster seconds more to place.
    const provision = await cli(['provision', '--replicas', '1', '--max-bytes', String(8 << 20)], env, 60_000);
    expect(provision.code, provision.stderr).toBe(0);

    const metrics = await freePort();
    const validator = startCctap(['validator', '--metrics-port', String(metrics), '--metrics-host', '127.0.0.1'], env);
    try {
      await waitUntil(
        'the validator ready over TLS',
        async () => (await fetch(`http://127.0.0.1:${metrics}/readyz`).catch(() => null))?.ok || undefined,
        30_000,
        validator.stderr,
      );
      const conns = (
        await Promise.all(
          cluster.nodes.map(
            async (n) => ((await (await fetch(`http://127.0.0.1:${n.httpPort}/connz`)).json()) as Connz).connections,
          ),
        )
      ).flat();
      expect(conns.length).toBeGreaterThan(0);
      for (const c of conns) expect(c.tls_version, `connection ${c.name ?? '?'}`).toMatch(/^1\.[23]$/);
    } finally {
      validator.child.kill('SIGTERM');
      await exitWithin(validator, 30_000, 'cctap validator');
    }
  }, 90_000);
});
