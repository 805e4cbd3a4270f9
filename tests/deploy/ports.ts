import { createServer } from 'node:net';

/**
 * A free loopback port below Linux's ephemeral range (32768 and up), which outgoing connections
 * take at any moment: a port found free there can be taken before the service binds it.
 */
export async function lowFreePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
        .once('error', () => resolve(false))
        .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
