import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, parse } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Client name -> operation id -> document: the persisted operation lists the gateway serves (live with a registry). */
export type OperationLists = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The label of every named operation that no list registers, and of operations without a name. */
export const UNREGISTERED_OPERATION = 'other';
export const ANONYMOUS_OPERATION = 'anonymous';

// Parsed once per list object: a registry update replaces a list with a new map, which is parsed anew.
const namesByList = new WeakMap<ReadonlyMap<string, string>, ReadonlySet<string>>();

function operationNames(list: ReadonlyMap<string, string>): ReadonlySet<string> {
  let names = namesByList.get(list);
  if (!names) {
    const found = new Set<string>();
    for (const document of list.values()) {
      try {
        for (const definition of parse(document).definitions) {
          if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) found.add(definition.name.value);
        }
      } catch {
        // A list entry that does not parse names nothing (the lists are validated where they are loaded).
      }
    }
    names = found;
    namesByList.set(list, names);
  }
  return names;
}

/**
 * The metric label of an operation: its name when a persisted operation list the gateway serves
 * registers it, else one shared bucket. Names come from clients, and every distinct label value
 * is a new time series in Prometheus; registered names are chosen by us, so the label set stays
 * as small as the lists are, whatever clients send.
 */
export function operationLabel(name: string | null | undefined, lists: OperationLists): string {
  if (!name) return ANONYMOUS_OPERATION;
  for (const list of lists.values()) {
    if (operationNames(list).has(name)) return name;
  }
  return UNREGISTERED_OPERATION;
}

export type RequestOutcome = 'ok' | 'partial' | 'error';

/**
 * Requests by operation and outcome (ok, partial: data with errors, error: no data), with
 * latency, labelled by registered operation name only (operationLabel). `plugin` records what
 * Apollo executes; `record` what is answered before it (a response cache hit at the edge).
 */
export function createRequestMetrics(registry: Registry, lists: OperationLists) {
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: `GraphQL requests by operation (registered operations by name, others "${UNREGISTERED_OPERATION}", unnamed "${ANONYMOUS_OPERATION}") and outcome`,
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL request latency by operation (labelled as graphql_requests_total)',
    labelNames: ['operation'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const record = (operationName: string | null | undefined, outcome: RequestOutcome, startedAt: number) => {
    const operation = operationLabel(operationName, lists);
    requests.inc({ operation, outcome });
    duration.observe({ operation }, (performance.now() - startedAt) / 1000);
  };
  const plugin: ApolloServerPlugin<any> = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(context) {
          const body = context.response.body;
          const result = body.kind === 'single' ? body.singleResult : null;
          record(context.operationName, !result?.errors?.length ? 'ok' : result.data ? 'partial' : 'error', started);
        },
      };
    },
  };
  return { plugin, record };
}
export type RecordRequest = ReturnType<typeof createRequestMetrics>['record'];
