/** Okta-style pagination: two `Link` headers with absolute URLs, `next` carrying the cursor. */
export function pageLinks(baseUrl: string, url: URL, nextParams: Record<string, string> | null): string[] {
  const self = `<${baseUrl}${url.pathname}${url.search}>; rel="self"`;
  if (!nextParams) return [self];
  const next = new URLSearchParams(url.searchParams);
  for (const [k, v] of Object.entries(nextParams)) next.set(k, v);
  // Okta encodes spaces in query values as %20, not "+".
  return [self, `<${baseUrl}${url.pathname}?${next.toString().replace(/\+/g, '%20')}>; rel="next"`];
}

/** Take up to `limit` items from `items`, and say whether another one follows. */
export function takePage<T>(items: Iterable<T>, limit: number): { page: T[]; more: boolean } {
  const page: T[] = [];
  for (const item of items) {
    if (page.length === limit) return { page, more: true };
    page.push(item);
  }
  return { page, more: false };
}

export function* filterIterable<T>(items: Iterable<T>, keep: (item: T) => boolean): Iterable<T> {
  for (const item of items) if (keep(item)) yield item;
}
