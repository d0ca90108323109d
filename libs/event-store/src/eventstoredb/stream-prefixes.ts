/**
 * The stream-name prefixes a `$all` read asks the server for: the caller's prefixes narrowed to
 * the store's own categories, so neither system streams nor another application's streams come
 * back. No caller prefixes: the categories themselves. An empty result means nothing can match.
 */
export function narrowPrefixes(categories: readonly string[], requested?: readonly string[]): string[] {
  if (requested === undefined) return [...categories];
  const narrowed = new Set<string>();
  for (const prefix of requested) {
    for (const category of categories) {
      if (prefix.startsWith(category)) narrowed.add(prefix);
      else if (category.startsWith(prefix)) narrowed.add(category);
    }
  }
  return [...narrowed];
}

export const matchesPrefix = (streamId: string, prefixes: readonly string[]): boolean =>
  prefixes.some((prefix) => streamId.startsWith(prefix));
