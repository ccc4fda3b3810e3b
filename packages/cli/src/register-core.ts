import type { Declare, Runner } from './lazy.js';
import { lazy } from './lazy.js';
import { collect, isThrowaway } from './parse.js';

/** The container commands: create, run, shell, list, info, stop, resume, shutdown, logs, push, pull, config, engines. */
export function registerCore(cmd: Declare, run: Runner): void {
  cmd('create', 'create and start a container that outlives this command; prints its name', 'pocketdock create --name box --mem 256m')
    .argument('[command...]', "its main process, argv after -- (default: sleep forever, under an init process)")
    .option('--name <name>', 'container name (default: the engine chooses)')
    .option('--image <ref>', 'image (default: sandbox.image, then pocketdock/busybox:test)')
    .option('--mem <size>', "memory limit, e.g. '256m'")
    .option('--cpu <percent>', 'CPU share, 50 = half a core', Number)
    .option('-e, --env <KEY=VALUE>', 'environment of every command (repeatable)', collect)
    .option('-l, --label <KEY=VALUE>', 'extra label (repeatable)', collect)
    .option('-w, --workdir <dir>', 'working directory of every command')
    .option('--network <name>', "network (default 'none': offline)")
    .action(lazy(async () => (await import('./commands/create.js')).create, run));

  cmd('run', 'run a command in a running container; exits with its status', 'pocketdock run box -- ls -la /')
    .argument('<container>', 'container name or id; none (`run -- cmd`): a throwaway sandbox, removed after')
    .argument('[command...]', 'argv after --, kept exactly; a single string runs under sh -c')
    .option('--timeout <seconds>', 'kill the command after this long and exit 124')
    .option('-e, --env <KEY=VALUE>', 'environment (repeatable)', collect)
    .option('-w, --workdir <dir>', 'working directory')
    .option('-u, --user <user>', 'user[:group] to run as')
    .option('-i, --interactive', 'with -t: keep stdin open on a terminal')
    .option('-t, --tty', 'a terminal in the container (needs a terminal here): for interactive commands')
    .option('--no-stdin', 'do not forward standard input (it is forwarded when it is not a terminal)')
    .option('--no-history', 'do not add it to the container\'s history (`pocketdock history`)')
    .hook('preAction', (command) => {
      command.setOptionValue('throwaway', isThrowaway((command.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? []));
    })
    .action(lazy(async () => (await import('./commands/run.js')).run, run));

  cmd('shell', 'an interactive shell in a running container (bash, else sh); exits with its status', 'pocketdock shell box')
    .argument('<container>', 'container name or id')
    .option('-u, --user <user>', 'user[:group] to run as')
    .option('-w, --workdir <dir>', 'working directory')
    .action(lazy(async () => (await import('./commands/shell.js')).shell, run));

  cmd('list', 'the containers pocketdock manages, running or not', 'pocketdock list --json')
    .alias('ls')
    .action(lazy(async () => (await import('./commands/manage.js')).list, run));

  cmd('info', "a container's state, resources and processes", 'pocketdock info box')
    .argument('<container>', 'container name or id')
    .action(lazy(async () => (await import('./commands/manage.js')).info, run));

  cmd('stop', 'stop a container (kept: `resume` starts it again)', 'pocketdock stop box')
    .argument('<container>', 'container name or id')
    .option('--timeout <seconds>', 'grace period before it is killed (default 2)')
    .action(lazy(async () => (await import('./commands/manage.js')).stop, run));

  cmd('resume', 'start a stopped container again (files kept, processes gone)', 'pocketdock resume box')
    .argument('<container>', 'container name or id')
    .action(lazy(async () => (await import('./commands/manage.js')).resume, run));

  cmd('shutdown', 'remove a container, running or not', 'pocketdock shutdown box')
    .argument('<container>', 'container name or id')
    .action(lazy(async () => (await import('./commands/manage.js')).shutdown, run));

  cmd('logs', "a container's output (of its main process)", 'pocketdock logs box --follow --since 10m')
    .argument('<container>', 'container name or id')
    .option('-f, --follow', 'keep printing new output until interrupted or the container stops')
    .option('--since <time>', "from this time: seconds since the epoch, an ISO date, or an age such as '90s', '10m', '2h'")
    .option('--tail <lines>', 'only the last lines')
    .option('--timestamps', 'prefix each line with its time')
    .action(lazy(async () => (await import('./commands/logs.js')).logs, run));

  cmd('push', 'copy a host file or directory into a container', 'pocketdock push box ./src /work/src')
    .argument('<container>', 'container name or id')
    .argument('<host-path>', 'what to copy')
    .argument('<container-path>', 'its full new path in the container')
    .action(lazy(async () => (await import('./commands/files.js')).push, run));

  cmd('pull', 'copy a file or directory out of a container', 'pocketdock pull box /work/out ./out')
    .argument('<container>', 'container name or id')
    .argument('<container-path>', 'what to copy')
    .argument('<host-path>', 'its full new path on the host')
    .action(lazy(async () => (await import('./commands/files.js')).pull, run));

  cmd('config', 'the merged settings, each with the layer it came from (secrets redacted)', 'pocketdock config sandbox.memLimit')
    .argument('[key]', 'only keys starting with this')
    .action(lazy(async () => (await import('./commands/config.js')).config, run));

  cmd('engines', 'what socket detection finds, and why each candidate was taken or skipped', 'pocketdock engines --json')
    .action(lazy(async () => (await import('./commands/engines.js')).engines, run));

}
