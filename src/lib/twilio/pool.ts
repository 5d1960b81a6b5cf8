/**
 * Run `fn` over `items` with at most `limit` calls in flight (bulk commands: `conversations
 * prune --concurrency`). The first failure stops new calls from starting and is thrown once the
 * calls in flight have settled, so nothing is left running behind the error.
 */
export async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed: {error: unknown} | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (error) {
        failed ??= {error};
      }
    }
  };
  await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, worker));
  if (failed) throw failed.error;
}
