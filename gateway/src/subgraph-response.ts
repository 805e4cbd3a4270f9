import type { FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';

/** A subgraph's answer as undici gave it: status, headers and the whole body. */
export interface SubgraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * The answer in the shape @apollo/gateway reads (`ok`, `status`, `headers.get`, `json()`), built
 * straight from undici's result: wrapping it in a WHATWG `Response` (with its `Headers` and body
 * stream) was part of the node internals that fell from 18.6 % to 11.8 % of the gateway's busy
 * CPU in bench:gateway-only's profile (ADR 0019). Each caller gets its own
 * object and parses the text itself, so answers shared between requests never share objects.
 */
export function subgraphResponse(url: string, answer: SubgraphAnswer): FetcherResponse {
  let bodyUsed = false;
  const read = () => {
    bodyUsed = true;
    return answer.text;
  };
  return {
    url,
    status: answer.status,
    ok: answer.status >= 200 && answer.status < 300,
    statusText: '',
    redirected: false,
    get bodyUsed() {
      return bodyUsed;
    },
    headers: new AnswerHeaders(answer.headers),
    text: async () => read(),
    json: async () => JSON.parse(read()),
    arrayBuffer: async () => {
      const bytes = Buffer.from(read());
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    clone: () => subgraphResponse(url, answer),
  };
}

/** Read-mostly headers over undici's lower-cased header object. */
class AnswerHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();

  constructor(raw: SubgraphAnswer['headers']) {
    for (const name in raw) {
      const value = raw[name];
      if (value !== undefined) this.map.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }
  get(name: string) {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string) {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string) {
    this.map.set(name.toLowerCase(), value);
  }
  append(name: string, value: string) {
    const existing = this.get(name);
    this.set(name, existing === null ? value : `${existing}, ${value}`);
  }
  delete(name: string) {
    this.map.delete(name.toLowerCase());
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}
