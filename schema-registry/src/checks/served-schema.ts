import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { graphql } from './graphql.ts';

/**
 * Whether a subgraph already serves the schema offered for publishing (ADR 0013). The gateways
 * plan queries from the published schema and send them to the subgraph's routing URL: a field
 * published before it is deployed gets queried there, the subgraph refuses the whole fetch, and
 * every client asking for that entity loses it (publishing `Product.brand` early made `product`
 * null for everyone). So the registry asks the subgraph for the schema it really serves,
 * Federation's `{ _service { sdl } }` (a plain query field every Apollo subgraph answers without
 * credentials, in production too: it is not introspection), and refuses the publish when the
 * submitted schema promises anything the served one lacks.
 *
 * "Lacks" is deliberately one-sided: everything the gateways may ask for (submitted) must be
 * served; a served schema may have more. That keeps both safe orders working: an addition is
 * deployed, then published; a removal is published (gateways stop asking), then deployed.
 */

export const SERVICE_SDL_QUERY = '{ _service { sdl } }';
/** Largest served SDL the registry reads (the API accepts submissions up to 2,000,000 characters). */
const MAX_SERVED_SDL_BYTES = 4_000_000;

export type ServedSdl = { ok: true; sdl: string } | { ok: false; reason: string };

/** Fetches the SDL a subgraph serves; never throws, never follows redirects, never echoes the body. */
export async function fetchServedSdl(routingUrl: string, timeoutMs: number): Promise<ServedSdl> {
  let response: Response;
  try {
    response = await fetch(routingUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: SERVICE_SDL_QUERY }),
      // A redirect could lead the registry to a host REGISTRY_ROUTING_URL_HOSTS does not allow.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { name?: string; cause?: { code?: string } }).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((error as { cause?: { code?: string } }).cause?.code ?? 'connection failed');
    return { ok: false, reason: `unreachable (${cause})` };
  }
  const body = await boundedText(response);
  if (body === null) return { ok: false, reason: `its answer is over ${MAX_SERVED_SDL_BYTES} bytes` };
  let parsed: { data?: { _service?: { sdl?: unknown } } | null };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return { ok: false, reason: `HTTP ${response.status}, not a GraphQL answer` };
  }
  const sdl = parsed?.data?._service?.sdl;
  if (typeof sdl !== 'string') return { ok: false, reason: `HTTP ${response.status}, no answer to Federation's ${SERVICE_SDL_QUERY} (is it an Apollo Federation subgraph?)` };
  return { ok: true, sdl };
}

async function boundedText(response: Response): Promise<string | null> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_SERVED_SDL_BYTES) {
      await response.body.cancel().catch(() => {});
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A subgraph's SDL as a schema: Federation's directives are not declared in it, so not validated. */
const subgraphSchema = (sdl: string) => graphql.buildASTSchema(graphql.parse(sdl), { assumeValidSDL: true });

/**
 * What the submitted schema has that the served one lacks (or serves differently): the breaking
 * changes from submitted to served, as a client of the submitted schema (a gateway) would see
 * them. Empty: the served schema can answer everything the submitted one promises.
 */
export async function missingFromServed(submittedSdl: string, servedSdl: string): Promise<Array<{ path: string | null; message: string }>> {
  const changes = await diff(subgraphSchema(submittedSdl), subgraphSchema(servedSdl));
  return changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => ({ path: c.path ?? null, message: c.message }));
}
