import { runSubgraph } from '@supergraph/service-kit';
import { ordersSubgraph } from './subgraph.ts';

await runSubgraph(ordersSubgraph);
