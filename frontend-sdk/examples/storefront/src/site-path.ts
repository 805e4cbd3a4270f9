/**
 * `next` (where to go after signing in) as a path of this site, or '/'. Judged on the URL the
 * browser would make of it, not on its text: `/\evil.example/x` is another site to a browser (a
 * backslash is a slash), and `history.replaceState` then throws, leaving a signed-in shopper on the
 * form. The sign-in pages themselves are refused too (no loop).
 */
export function sitePath(next: string | null, origin: string): string {
  if (!next?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return '/';
  }
  if (url.origin !== origin || /^\/(login|signup)(\/|$)/.test(url.pathname)) return '/';
  return url.pathname + url.search + url.hash;
}
