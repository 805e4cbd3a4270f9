import { runSubgraph } from '@supergraph/service-kit';
import { productsSubgraph } from './subgraph.ts';

// Not awaited: a CommonJS bundle cannot hold a top-level await (scripts/code-cache.ts), and a failed start logs and exits 1 itself.
void runSubgraph(productsSubgraph);
