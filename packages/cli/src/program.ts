import { Command, CommanderError } from 'commander';
import { Context } from './context.js';
import type { GlobalOptions } from './context.js';
import { EXIT } from './errors.js';
import { Output } from './output.js';
import type { Runner } from './lazy.js';
import { reportError } from './report-error.js';
import { VERSION } from './version.js';
import { registerCore } from './register-core.js';
import { registerMore } from './register-more.js';

/**
 * Runs the command line `argv` (without node and the script) and resolves with the exit status. Heavy packages
 * (factory, container-sdk, engine-socket) are imported by the command that needs them, never on the start path.
 *
 * @example
 * process.exitCode = await main(['run', 'box', '--', 'echo', 'hi']);
 */
export async function main(argv: string[]): Promise<number> {
  let status: number = EXIT.ok;
  let ctx: Context | undefined;
  const program = buildProgram(async (action, args, cmd) => {
    ctx = new Context(cmd.optsWithGlobals<GlobalOptions>());
    status = (await action(ctx, args, cmd.opts())) ?? EXIT.ok;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      status = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else {
      status = reportError(err, ctx?.out ?? new Output(program.opts<GlobalOptions>()));
    }
  } finally {
    await ctx?.close().catch(() => undefined);
  }
  return status;
}

function buildProgram(run: Runner): Command {
  const program = new Command('pocketdock')
    .description('Container sandboxes on Docker or Podman, from a terminal')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--socket <path>', 'engine socket (default: settings, then detection)')
    .option('-H, --host <address>', 'engine address, as DOCKER_HOST: unix://..., tcp://host:2376 (TLS from DOCKER_TLS_VERIFY, DOCKER_CERT_PATH or engine.tls), ssh://user@host')
    .option('--context <name>', 'Docker context to use (as docker --context)')
    .option('--project <name>', 'project label of the containers to create and list')
    .option('--json', 'print data as JSON (stable field names: see the README)')
    .option('-q, --quiet', 'print data only, no messages')
    .option('-v, --verbose', 'say which engine answered and how long it took; debug logs; error causes')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`pocketdock: error CLI_USAGE: ${text.replace(/^error: /, '')}`),
    });
  const cmd = (name: string, description: string, example: string): Command =>
    program
      .command(name)
      .description(description)
      .addHelpText('after', `\nExample:\n  $ ${example}`)
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(`pocketdock: error CLI_USAGE: ${text.replace(/^error: /, '')}`) });

  registerCore(cmd, run);
  registerMore(program, cmd, run);

  cmd('completion', 'a shell completion script: bash, zsh or fish', 'source <(pocketdock completion bash)')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async function (this: Command, shell: string) {
      const { completion } = await import('./commands/completion.js');
      process.stdout.write(completion(program, shell));
    });

  program.addHelpText('after', '\nExample:\n  $ pocketdock create --name box && pocketdock run box -- uname -a');
  return program;
}

/** The program, for help and completion tests. */
export function commandNames(): string[] {
  return buildProgram(() => Promise.resolve()).commands.map((c) => c.name());
}
