import { describe, expect, it } from 'vitest';
import { createMetrics, runServices, silentLogger, type Service } from '@cctap/kit';

describe('runner and probes', () => {
  it('is ready only while running, serves metrics, and stops services in reverse order', async () => {
    const order: string[] = [];
    let depReady = true;
    const svc = (name: string): Service => ({
      name,
      async start() {
        order.push(`start ${name}`);
      },
      async stop(reason) {
        order.push(`stop ${name} (${reason})`);
      },
      health: () => ({ ready: name === 'dep' ? depReady : true }),
    });
    const metrics = createMetrics('demo');
    metrics.counter('cctap_demo_total', 'demo').inc();
    const r = await runServices({
      services: [svc('dep'), svc('work')],
      logger: silentLogger,
      metrics,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      shutdownTimeoutMs: 5000,
      handleSignals: false,
    });
    const base = `http://127.0.0.1:${r.probe.port}`;
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    depReady = false;
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ ready: false, details: { dep: { ready: false } } });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('cctap_demo_total{service="demo"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(await r.stop('SIGTERM')).toBe(0);
    expect(order).toEqual(['start dep', 'start work', 'stop work (SIGTERM)', 'stop dep (SIGTERM)']);
    await expect(fetch(`${base}/livez`)).rejects.toThrow();
  });

  it('a stop signal while a service is starting stops it once started, and starts no later one', async () => {
    const order: string[] = [];
    let release!: () => void;
    let startCalled!: () => void;
    const inStart = new Promise<void>((r) => (startCalled = r));
    const slow: Service = {
      name: 'slow',
      start: () =>
        new Promise<void>((r) => {
          release = () => (order.push('start slow'), r());
          startCalled();
        }),
      async stop(reason) {
        order.push(`stop slow (${reason})`);
      },
      health: () => ({ ready: true }),
    };
    const later: Service = {
      name: 'later',
      start: async () => void order.push('start later'),
      stop: async () => void order.push('stop later'),
      health: () => ({ ready: true }),
    };
    const running = runServices({
      services: [slow, later],
      logger: silentLogger,
      metrics: createMetrics('demo'),
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      shutdownTimeoutMs: 5000,
    });
    await inStart;
    process.emit('SIGTERM', 'SIGTERM');
    release();
    const r = await running;
    expect(await r.done).toBe(0);
    expect(order).toEqual(['start slow', 'stop slow (SIGTERM)']);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
});
