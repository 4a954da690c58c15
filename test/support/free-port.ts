import { createServer } from 'node:net';

/** Ports this process has handed out already. */
const given = new Set<number>();

/**
 * A TCP port that was free a moment ago on 127.0.0.1, and not one this process handed out before: the kernel
 * can give the port just released again, and two ports of one server (a cluster node's route and monitor
 * ports, seen in a full run) were then the same, so the node could not start.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (given.has(port)) continue;
    given.add(port);
    return port;
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Runs `start` (which picks its ports with freePort) again when one of them was taken between the choice and
 * the bind, as other test files start servers at the same time: up to three times.
 */
export async function onFreePorts<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
}
