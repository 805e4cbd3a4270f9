import express from 'express';
import { describe, expect, it } from 'vitest';
import { listen } from '@supergraph/service-kit';

describe('closing a service that a client keeps polling over a kept-alive connection', () => {
  it('finishes the request in flight, then closes instead of serving that client forever', async () => {
    const app = express();
    app.get('/slow', (_req, res) => void setTimeout(() => res.send('done'), 300));
    app.get('/poll', (_req, res) => void res.send('ok'));
    const running = await listen(app, 0, '127.0.0.1');

    let polling = true;
    let answered = 0;
    const poller = (async () => {
      while (polling) {
        const ok = await fetch(`${running.url}/poll`).then((r) => r.text(), () => null);
        if (ok) answered++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const inFlight = fetch(`${running.url}/slow`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 50));

    await running.close(); // hung for as long as the poller ran before kept-alive connections were swept
    expect(await inFlight).toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 50)); // answers already on the wire arrive
    const afterClose = answered;
    await new Promise((resolve) => setTimeout(resolve, 200));
    polling = false;
    await poller;
    expect(afterClose).toBeGreaterThan(0);
    expect(answered).toBe(afterClose); // nothing served once closed
    await expect(fetch(`${running.url}/poll`)).rejects.toThrow();
  });
});
