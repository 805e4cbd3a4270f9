/** The services `npm start` runs and the order they start in (gateway last). */
export const SUBGRAPHS = [
  { name: 'products', port: 4001 },
  { name: 'users', port: 4002 },
  { name: 'orders', port: 4003 },
  { name: 'inventory', port: 4004 },
  { name: 'reviews', port: 4005 },
] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];
export const SUBGRAPH_NAMES = SUBGRAPHS.map((s) => s.name);
export const GATEWAY_PORT = 4000;
