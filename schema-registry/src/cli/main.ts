// `npm run registry -- <command>`: the schema registry for developers and CI.
// Exit codes: 0 done (check passed), 1 refused (check failed, publish/rollback refused), 2 usage or connection error.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
// Narrow imports: the CLI answers in a fraction of a second only if it does not load the
// composition and service stacks it never runs (--config loads the config reader on demand).
import { registryTokenSchema } from '@supergraph/service-kit/env';
import { RegistryClient, RegistryRequestError, type ServedSchemaProblem, type SubgraphSubmission } from '../client.ts';
import { formatChanges, formatCheck, formatPublish, formatRoutingUrlChanges, formatServedSchemaProblems } from './format.ts';

const USAGE = `Usage: npm run registry -- <command> [options]

  check <subgraph> --schema <file> [--url <url>]     dry run: composition, changes, broken operations
  check --config <supergraph.yaml>                     the same for every subgraph of a config
  publish <subgraph> --schema <file> [--url <url>] [--force] [--deploy-follows]
  publish --config <supergraph.yaml> [--force] [--deploy-follows]
                                                       every subgraph of a config, one new supergraph
  history [<subgraph>]                                 supergraph versions, or one subgraph's versions
  diff <subgraph> <from> <to>                          changes between two versions of a subgraph
  diff --supergraph <from> <to>                        changes between two supergraph versions
  rollback <subgraph> --to <version> [--force]         make an earlier version current again (checked)
  operations <client> --manifest <file> [--force]      register a client's persisted operation list
  operations <client> --sdk [--force]                  register the list this build's SDK holds for the
                                                       client (storefront, partner-catalog): what ships
  token create <name> --role <admin|publisher|gateway> (admin token) prints a new token once
  token revoke <name>
  partner-key create <client>                          (admin token) prints a new partner API key once
  partner-key list [<client>]                          (admin token) keys by id, client, dates; no secrets
  partner-key revoke <id>                              (admin token) gateways drop it at their next poll

Options: --registry <url> (REGISTRY_URL, default http://127.0.0.1:4100), --author <name>
(REGISTRY_AUTHOR, default your git e-mail), --json (machine-readable output).
The token comes from REGISTRY_TOKEN. --force publishes even when registered operations break,
and registers a list that drops operations of the client's current one (OPERATIONS_REMOVED).
publish first asks each changed subgraph at its routing URL for the schema it serves
({ _service { sdl } }) and refuses (SCHEMA_NOT_DEPLOYED, SUBGRAPH_UNREACHABLE) unless it serves
everything published: deploy first, then publish. --deploy-follows skips that check, to publish
ahead of a deploy on purpose (gateways then send it queries it cannot answer until it is deployed).
A --url that differs from a subgraph's current routing URL (or a rollback to a version routed
elsewhere) is a routing-URL change: only an ADMIN token may publish it.
Exit codes: 0 done or check passed, 1 refused or check failed, 2 usage or connection error.`;

class UsageError extends Error {}

/** The SDK's list for a client, built into this CLI (loaded only for --sdk). */
async function sdkList(client: string) {
  const { PERSISTED_LIST_CLIENTS, persistedList } = await import('@supergraph/sdk/persisted-lists');
  if (!PERSISTED_LIST_CLIENTS[client]) throw new UsageError(`The SDK has no list for ${client}; it has ${Object.keys(PERSISTED_LIST_CLIENTS).join(', ')}`);
  return persistedList(client);
}

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    schema: { type: 'string' },
    url: { type: 'string' },
    config: { type: 'string' },
    force: { type: 'boolean', default: false },
    'deploy-follows': { type: 'boolean', default: false },
    supergraph: { type: 'boolean', default: false },
    to: { type: 'string' },
    manifest: { type: 'string' },
    sdk: { type: 'boolean', default: false },
    role: { type: 'string' },
    registry: { type: 'string' },
    author: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

// npm runs scripts from the project root; paths on the command line are relative to where it was typed.
const fromCwd = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);

function registryToken(): string {
  const token = process.env.REGISTRY_TOKEN;
  if (token) return token;
  if (process.env.NODE_ENV === 'production') throw new UsageError('Set REGISTRY_TOKEN');
  // The registry's own development default publish token: local use only.
  return registryTokenSchema('publish', 'REGISTRY_TOKEN').parse(undefined);
}

function author(): string {
  if (options.author) return options.author;
  if (process.env.REGISTRY_AUTHOR) return process.env.REGISTRY_AUTHOR;
  try {
    const email = execFileSync('git', ['config', 'user.email'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (email) return email;
  } catch {
    // no git, or no e-mail configured
  }
  return userInfo().username;
}

async function submissions(name: string | undefined): Promise<SubgraphSubmission[]> {
  if (options.config) return (await (await import('@supergraph/composition')).readSupergraphConfig(fromCwd(options.config))).map((s) => ({ name: s.name, sdl: s.sdl, url: s.url }));
  if (!name || !options.schema) throw new UsageError('Give a subgraph name and --schema <file>, or --config <supergraph.yaml>');
  return [{ name, sdl: await readFile(fromCwd(options.schema), 'utf8'), url: options.url }];
}

function versionArg(value: string | undefined, what: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`${what} must be a version number`);
  return version;
}

function print(human: string, machine: unknown) {
  console.log(options.json ? JSON.stringify(machine, null, 2) : human);
}

async function run(client: RegistryClient): Promise<number> {
  const [command, ...args] = positionals;
  switch (command) {
    case 'check': {
      const report = await client.check(await submissions(args[0]));
      print(formatCheck(report), report);
      return report.ok ? 0 : 1;
    }
    case 'publish': {
      const outcome = await client.publish(await submissions(args[0]), { author: author(), force: options.force, deployFollows: options['deploy-follows'] });
      print(formatPublish(outcome), outcome);
      return 0;
    }
    case 'rollback': {
      if (!args[0]) throw new UsageError('Give the subgraph to roll back');
      const outcome = await client.rollback(args[0], versionArg(options.to, '--to'), { author: author(), force: options.force });
      print(formatPublish(outcome), outcome);
      return 0;
    }
    case 'history': {
      if (args[0]) {
        const { versions } = await client.subgraphHistory(args[0]);
        print(versions.map((v) => `${v.current ? '*' : ' '} v${v.version}  ${v.createdAt}  ${v.author}  ${v.routingUrl}  ${v.sdlHash.slice(0, 12)}`).join('\n'), versions);
      } else {
        const { versions } = await client.supergraphHistory();
        print(
          versions
            .map((v, i) =>
              [
                `${i === 0 ? '*' : ' '} #${v.version}  ${v.createdAt}  ${v.action.toLowerCase()} ${v.subgraph}  by ${v.author}  [${Object.entries(v.subgraphs).map(([n, s]) => `${n} v${s}`).join(', ')}]`,
                ...formatRoutingUrlChanges(v.routingUrlChanges ?? []).map((line) => `  ${line}`),
              ].join('\n'),
            )
            .join('\n'),
          versions,
        );
      }
      return 0;
    }
    case 'diff': {
      if (options.supergraph) {
        const diff = await client.diffSupergraph(versionArg(args[0], 'from'), versionArg(args[1], 'to'));
        print([...formatChanges(diff.changes), ...formatRoutingUrlChanges(diff.routingUrlChanges)].join('\n'), diff);
      } else {
        const subgraph = args[0] ?? '';
        const diff = await client.diffSubgraph(subgraph, versionArg(args[1], 'from'), versionArg(args[2], 'to'));
        print([...formatChanges(diff.changes), ...formatRoutingUrlChanges(diff.routingUrl ? [{ subgraph, ...diff.routingUrl }] : [])].join('\n'), diff);
      }
      return 0;
    }
    case 'operations': {
      if (!args[0] || (!options.manifest && !options.sdk)) throw new UsageError('Give a client name and --manifest <file> or --sdk');
      const manifest = options.sdk ? await sdkList(args[0]) : (JSON.parse(await readFile(fromCwd(options.manifest!), 'utf8')) as { operations?: unknown });
      if (!Array.isArray(manifest.operations)) throw new UsageError('The manifest has no operations array (Apollo persisted query manifest format)');
      const outcome = await client.registerOperations(args[0], manifest.operations, author(), { force: options.force });
      print(`${outcome.status === 'registered' ? 'Registered' : 'Unchanged'}: ${args[0]} operation list version ${outcome.version}`, outcome);
      return 0;
    }
    case 'token': {
      const [action, name] = args;
      if (action === 'create' && name && options.role) {
        const created = await client.createToken(name, options.role.toUpperCase() as 'ADMIN' | 'PUBLISHER' | 'GATEWAY');
        print(`Token ${created.name} (${created.role.toLowerCase()}): ${created.token}\nShown once: the registry keeps only its digest.`, created);
        return 0;
      }
      if (action === 'revoke' && name) {
        await client.revokeToken(name);
        print(`Token ${name} revoked`, { revoked: name });
        return 0;
      }
      throw new UsageError('token create <name> --role <admin|publisher|gateway>, or token revoke <name>');
    }
    case 'partner-key': {
      const [action, arg] = args;
      if (action === 'create' && arg) {
        const created = await client.createPartnerKey(arg);
        print(
          `Partner key #${created.id} for ${created.client}: ${created.key}\nShown once: the registry keeps only its digest. Gateways accept it from their next registry poll.`,
          created,
        );
        return 0;
      }
      if (action === 'list') {
        const { keys } = await client.partnerKeys(arg);
        print(keys.length === 0 ? 'No partner keys' : keys.map((k) => `#${k.id}  ${k.client}  created ${k.createdAt}${k.revokedAt ? `  REVOKED ${k.revokedAt}` : '  active'}`).join('\n'), keys);
        return 0;
      }
      if (action === 'revoke' && arg) {
        await client.revokePartnerKey(versionArg(arg, 'the key id'));
        print(`Partner key #${arg} revoked: gateways refuse it from their next registry poll`, { revoked: Number(arg) });
        return 0;
      }
      throw new UsageError('partner-key create <client>, partner-key list [<client>], or partner-key revoke <id>');
    }
    default:
      throw new UsageError(command ? `Unknown command ${command}` : 'Give a command');
  }
}

if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
const registryUrl = options.registry ?? process.env.REGISTRY_URL ?? 'http://127.0.0.1:4100';
try {
  if (!URL.canParse(registryUrl)) throw new UsageError(`--registry (or REGISTRY_URL) is not a URL: ${JSON.stringify(registryUrl.slice(0, 100))}`);
  const client = new RegistryClient(registryUrl, registryToken());
  process.exitCode = await run(client);
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof RegistryRequestError) {
    const refused = ['COMPOSITION_FAILED', 'BREAKS_REGISTERED_OPERATIONS', 'OPERATIONS_INVALID', 'OPERATIONS_REMOVED', 'FORBIDDEN', 'ROUTING_URL_NOT_ALLOWED', 'SCHEMA_NOT_DEPLOYED', 'SUBGRAPH_UNREACHABLE'].includes(error.code);
    const { report, routingUrlChanges, servedSchemaProblems } = error.details as {
      report?: Parameters<typeof formatCheck>[0];
      routingUrlChanges?: Parameters<typeof formatRoutingUrlChanges>[0];
      servedSchemaProblems?: ServedSchemaProblem[];
    };
    if (options.json) console.log(JSON.stringify({ error: { code: error.code, message: error.message, ...error.details } }, null, 2));
    else
      console.error(
        [
          `${error.code}: ${error.message}`,
          ...(report ? [formatCheck(report)] : []),
          ...(routingUrlChanges ? ['Refused routing URL changes:', ...formatRoutingUrlChanges(routingUrlChanges)] : []),
          ...(servedSchemaProblems ? formatServedSchemaProblems(servedSchemaProblems) : []),
          ...(error.details.invalid ? [JSON.stringify(error.details.invalid, null, 2)] : []),
          ...(Array.isArray(error.details.removed) ? [`Dropped: ${error.details.removed.join(', ')}`] : []),
        ].join('\n'),
      );
    process.exitCode = refused ? 1 : 2;
  } else {
    console.error(`registry: ${unreachable(error) ?? (error as Error).message}`);
    process.exitCode = 2;
  }
}

/** fetch's "fetch failed" says nothing of why: name the registry, the reason and what to check. */
function unreachable(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `cannot reach the registry at ${registryUrl} (${cause?.code ?? cause?.message ?? 'no answer'}): is it running (npm start runs one), and is --registry or REGISTRY_URL right?`;
}
