import { runSubgraph } from '@supergraph/service-kit';
import { productsSubgraph } from './subgraph.ts';

await runSubgraph(productsSubgraph);
