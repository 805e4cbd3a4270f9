import type { CheckReport, PublishOutcome, RoutingUrlChange, SchemaChange, ServedSchemaProblem } from '../client.ts';

const LEVEL_MARK: Record<SchemaChange['level'], string> = { breaking: '✗ BREAKING ', dangerous: '! DANGEROUS', safe: '✓ SAFE     ' };

export function formatChanges(changes: SchemaChange[]): string[] {
  if (changes.length === 0) return ['  no changes to the API schema'];
  const order: SchemaChange['level'][] = ['breaking', 'dangerous', 'safe'];
  return [...changes]
    .sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level))
    .map((c) => {
      const users = c.usedBy.length > 0 ? `  (used by ${c.usedBy.map((u) => `${u.client}/${u.operation}`).join(', ')})` : '';
      return `  ${LEVEL_MARK[c.level]} ${c.path ? `${c.path}: ` : ''}${c.message.replace(/ \(non-breaking based on usage\)$/, ' — no registered operation uses it')}${users}`;
    });
}

/** Routing-URL changes stand apart from schema changes: they move where identity tokens go. */
export function formatRoutingUrlChanges(changes: RoutingUrlChange[]): string[] {
  return changes.map((c) => `  ⇄ ROUTING URL ${c.subgraph}: ${c.from} → ${c.to}`);
}

export function formatCheck(report: CheckReport): string {
  const lines = [`Check of ${report.subgraphs.join(', ') || '(no change)'}: ${report.ok ? 'PASSED, safe to ship' : 'FAILED'}`];
  if (report.compositionErrors.length > 0) {
    lines.push('Composition errors:', ...report.compositionErrors.map((e) => `  ${e}`));
    return lines.join('\n');
  }
  lines.push(
    `Changes: ${report.summary.breaking} breaking, ${report.summary.dangerous} dangerous, ${report.summary.safe} safe; ${report.summary.operationsChecked} registered operations checked`,
    ...formatChanges(report.changes),
  );
  if (report.routingUrlChanges.length > 0) {
    lines.push('Routing URL changes (an admin token must publish these):', ...formatRoutingUrlChanges(report.routingUrlChanges));
  }
  if (report.brokenOperations.length > 0) {
    lines.push('Registered operations this would break:');
    for (const broken of report.brokenOperations) lines.push(`  ${broken.client} ${broken.operation}: ${broken.reasons.join('; ')}`);
  }
  return lines.join('\n');
}

/** Why a publish was refused as not deployed: per subgraph, what its served schema lacks. */
export function formatServedSchemaProblems(problems: ServedSchemaProblem[]): string[] {
  return problems.flatMap((p) =>
    p.unreachable
      ? [`  ✗ ${p.subgraph} at ${p.routingUrl}: ${p.unreachable}`]
      : [`  ✗ ${p.subgraph} at ${p.routingUrl} does not serve:`, ...(p.missing ?? []).map((m) => `      ${m.path ? `${m.path}: ` : ''}${m.message}`)],
  );
}

export function formatPublish(outcome: PublishOutcome): string {
  if (outcome.status === 'unchanged') return `Unchanged: supergraph version ${outcome.supergraphVersion} already has this schema`;
  const versions = Object.entries(outcome.subgraphVersions).map(([name, v]) => `${name} v${v}`).join(', ');
  const served = outcome.servedSchemaCheck;
  const subgraphs = served?.subgraphs.join(', ');
  return [
    `Published ${versions}: supergraph version ${outcome.supergraphVersion} is now current`,
    ...(served?.status === 'skipped'
      ? [`  ! Not checked against what ${subgraphs} serve(s) (--deploy-follows): deploy now; until then gateways send queries it cannot answer`]
      : served
        ? [`  ✓ ${subgraphs} already serve(s) this schema at its routing URL`]
        : []),
    ...formatChanges(outcome.report.changes),
    ...formatRoutingUrlChanges(outcome.report.routingUrlChanges),
  ].join('\n');
}
