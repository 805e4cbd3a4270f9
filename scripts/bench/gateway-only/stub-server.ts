import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { RecordedGraph, SubgraphRequest } from './recorded-graph.ts';

export interface StubCounts {
  requests: number;
  representations: number;
  /** Fields or entities a request asked for that the recording lacks (answered null). */
  misses: number;
  bySubgraph: Record<string, { requests: number; representations: number }>;
}

interface Answer {
  payload: Buffer;
  representations: number;
  misses: number;
  cacheControl: string | null;
}

/**
 * Subgraph stubs: answer any subgraph request from the recorded graph, memoised by request body so
 * that a repeated fetch costs one map lookup, and count requests and representations.
 */
export class SubgraphStubs {
  readonly counts: StubCounts = { requests: 0, representations: 0, misses: 0, bySubgraph: {} };
  private readonly answers = new Map<string, Answer>();
  private readonly documents = new Map<string, DocumentNode>();

  constructor(
    private readonly graph: RecordedGraph,
    private readonly schemas: Map<string, GraphQLSchema>,
    private readonly cacheControl: (subgraph: string, body: string) => string | null,
  ) {}

  /** The answer to one request body (counted). */
  answer(subgraph: string, body: string): Answer {
    const memoKey = `${subgraph}\n${body}`;
    let answer = this.answers.get(memoKey);
    if (!answer) {
      answer = this.compute(subgraph, body);
      if (this.answers.size > 50_000) this.answers.clear(); // a bound, never reached by the bench's own loads
      this.answers.set(memoKey, answer);
    }
    const counts = this.counts;
    counts.requests++;
    counts.representations += answer.representations;
    counts.misses += answer.misses;
    const mine = (counts.bySubgraph[subgraph] ??= { requests: 0, representations: 0 });
    mine.requests++;
    mine.representations += answer.representations;
    return answer;
  }

  snapshot(): StubCounts {
    return structuredClone(this.counts);
  }

  private compute(subgraph: string, body: string): Answer {
    const schema = this.schemas.get(subgraph);
    if (!schema) throw new Error(`no subgraph ${subgraph}`);
    const request = JSON.parse(body) as SubgraphRequest;
    let document = this.documents.get(request.query);
    if (!document) this.documents.set(request.query, (document = parse(request.query)));
    const { result, representations, misses } = this.graph.replay(schema, request, document);
    return { payload: Buffer.from(JSON.stringify(result)), representations, misses, cacheControl: this.cacheControl(subgraph, body) };
  }

  /** One HTTP server per subgraph (each its own origin, as deployed), on 127.0.0.1 ephemeral ports. */
  async listen(): Promise<{ urls: Record<string, string>; close(): Promise<void> }> {
    const servers: Server[] = [];
    const urls: Record<string, string> = {};
    for (const subgraph of this.schemas.keys()) {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          let answer: Answer;
          try {
            answer = this.answer(subgraph, Buffer.concat(chunks).toString('utf8'));
          } catch (error) {
            res.writeHead(400, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ errors: [{ message: `stub: ${(error as Error).message}` }] }));
            return;
          }
          const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': answer.payload.length };
          if (answer.cacheControl) headers['cache-control'] = answer.cacheControl;
          res.writeHead(200, headers);
          res.end(answer.payload);
        });
      });
      server.keepAliveTimeout = 60_000;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      urls[subgraph] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    }
    return {
      urls,
      close: async () => {
        for (const server of servers) server.closeAllConnections();
        await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      },
    };
  }
}

/** The supergraph with each subgraph's routing URL replaced (plain @apollo/gateway and Hive read them from it). */
export function withSubgraphUrls(supergraphSdl: string, urls: Record<string, string>): string {
  return supergraphSdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name: string) =>
    urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : whole,
  );
}
