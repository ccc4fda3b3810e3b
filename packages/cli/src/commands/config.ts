import type { Context } from '../context.js';

/** `pocketdock config [key]`: every setting, its value and where it came from (factory `explain()`). */
export async function config(ctx: Context, [prefix]: unknown[]): Promise<void> {
  const pd = await ctx.pocketdock();
  const entries = pd.settings
    .explain()
    .filter((e) => prefix === undefined || e.key === prefix || e.key.startsWith(`${prefix as string}.`))
    .map((e) => ({ key: e.key, value: e.value ?? null, source: e.source, layer: e.layer, overrode: e.overrode }));
  if (ctx.out.json) return ctx.out.printJson(entries);
  await ctx.out.table(
    ['KEY', 'VALUE', 'SOURCE'],
    entries.map((e) => [e.key, e.value === null ? '(library default)' : JSON.stringify(e.value), e.source]),
  );
}
