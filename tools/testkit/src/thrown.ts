/** What `fn` throws (undefined when it returns): for `expect(thrown(() => ...)).toMatchObject({ code })`. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
