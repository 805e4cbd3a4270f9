import { runSubgraph } from '@supergraph/service-kit';
import { usersSubgraph } from './subgraph.ts';

await runSubgraph(usersSubgraph);
