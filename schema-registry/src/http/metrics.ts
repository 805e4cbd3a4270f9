import { Counter, Gauge, type Registry } from 'prom-client';
import type { RegistryStore } from '../store.ts';

export interface RegistryMetrics {
  publishes: Counter<'result'>;
  checks: Counter<'result'>;
}

export function createRegistryMetrics(registry: Registry, store: RegistryStore): RegistryMetrics {
  new Gauge({
    name: 'registry_supergraph_version',
    help: 'The current supergraph version',
    registers: [registry],
    async collect() {
      this.set((await store.currentSupergraphHead())?.version ?? 0);
    },
  });
  return {
    publishes: new Counter({ name: 'registry_publishes_total', help: 'Publishes and rollbacks, by outcome', labelNames: ['result'], registers: [registry] }),
    checks: new Counter({ name: 'registry_checks_total', help: 'Schema checks, by outcome', labelNames: ['result'], registers: [registry] }),
  };
}
