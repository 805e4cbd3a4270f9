// Bundled in place of make-fetch-happen (scripts/build.ts, gateway target): RemoteGraphQLDataSource
// makes one as its default fetcher, and every SubgraphDataSource replaces it with
// createSubgraphFetcher (undici). So its HTTP cache stack (cacache, minipass, agents) is not loaded
// at every start; a fetch through this stand-in fails, naming what went wrong.
const notOurs = () => Promise.reject(new Error("make-fetch-happen is not bundled: a subgraph fetch must go through the gateway's own fetcher (createSubgraphFetcher)"));
export default { defaults: () => notOurs };
