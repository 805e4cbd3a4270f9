import { runSubgraph } from '@supergraph/service-kit';
import { inventorySubgraph } from './subgraph.ts';

await runSubgraph(inventorySubgraph);
