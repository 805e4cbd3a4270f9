import { runSubgraph } from '@supergraph/service-kit';
import { reviewsSubgraph } from './subgraph.ts';

await runSubgraph(reviewsSubgraph);
