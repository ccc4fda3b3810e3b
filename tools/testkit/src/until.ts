/**
 * Resolves once `check()` is true, polling every `intervalMs` (10 ms); fails after `timeoutMs` (10 s), naming `what`.
 * For "until it has happened", instead of a guessed delay.
 *
 * @example
 * await until(() => server.getConnectedClients().length === 1, { what: 'the client to connect' });
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; what?: string; intervalMs?: number } = {},
): Promise<void> {
  const { timeoutMs = 10_000, what = 'a condition', intervalMs = 10 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
