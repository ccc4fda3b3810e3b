import type { Command } from 'commander';
import type { Context } from './context.js';

/** An action: runs with the context and returns the exit status (0 when it returns nothing). */
export type Action = (ctx: Context, args: unknown[], options: Record<string, unknown>) => Promise<number | void>;

/** Runs a command's action with its context. */
export type Runner = (action: Action, args: unknown[], cmd: Command) => Promise<void>;

/** Declares a subcommand with its description and the example its --help shows. */
export type Declare = (name: string, description: string, example: string) => Command;

/** An action whose module is imported only when the command runs. */
export function lazy(load: () => Promise<Action>, run: Runner) {
  return async function (this: Command, ...params: unknown[]): Promise<void> {
    // commander passes the arguments, then the options, then the command itself
    const args = params.slice(0, -2);
    await run(await load(), args, this);
  };
}

