import { describe, expect, it } from 'vitest';
import express from 'express';
import { listen } from './http.ts';
import { injectTraceContext, tracingMiddleware } from './tracing.ts';

describe('trace context', () => {
  it('continues the caller\'s trace and carries it on to the next hop', async () => {
    const app = express();
    app.use('/graphql', tracingMiddleware('test-service'), (_req, res) => {
      const outgoing = new Headers();
      injectTraceContext(outgoing); // what a call to the next service would carry
      res.json({ traceId: res.locals.traceId, outgoing: outgoing.get('traceparent') });
    });
    const running = await listen(app, 0, '127.0.0.1');
    try {
      const response = await fetch(`${running.url}/graphql`, { headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
      const body = (await response.json()) as { traceId: string; outgoing: string };
      expect(body.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      const [, traceId, parentId] = body.outgoing.split('-');
      expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(parentId).not.toBe('00f067aa0ba902b7'); // this service's span is the next hop's parent
    } finally {
      await running.close();
    }
  });
});
