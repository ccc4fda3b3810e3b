import type { Command } from 'commander';
import type { Declare, Runner } from './lazy.js';
import { lazy } from './lazy.js';

/**
 * The project, diagnosis, lifecycle, image, service and pool commands: quickstart, init, status, doctor, reboot,
 * snapshot, prune, history, profiles, build, export, import, serve, pool ls / pool prune.
 */
export function registerMore(program: Command, cmd: Declare, run: Runner): void {
  cmd('quickstart', 'check the engine and image, make a sandbox, run a command in it, and show what to type next', 'pocketdock quickstart --name box')
    .option('--name <name>', "the sandbox's name", 'quickstart')
    .option('--image <ref>', 'image (default: sandbox.image, then pocketdock/busybox:test)')
    .action(lazy(async () => (await import('./commands/project.js')).quickstart, run));

  cmd('init', 'write a project settings file, .pocketdock/pocketdock.yaml, in this directory', 'pocketdock init --project web --image pocketdock/busybox:test')
    .option('--image <ref>', 'sandbox image of the project', 'pocketdock/busybox:test')
    .option('--mem <size>', 'memory limit of its sandboxes', '256m')
    .option('--force', 'replace a file that is there')
    .action(lazy(async () => (await import('./commands/project.js')).init, run));

  cmd('status', 'the engine in use, the containers by state, the pools and the images pocketdock made', 'pocketdock status --json')
    .action(lazy(async () => (await import('./commands/status.js')).status, run));

  cmd('doctor', 'check the settings, the engine, the image and a real sandbox; exits 1 when a check fails', 'pocketdock doctor')
    .option('--image <ref>', 'image to check (default: sandbox.image, then pocketdock/busybox:test)')
    .action(lazy(async () => (await import('./commands/doctor.js')).doctor, run));

  cmd('reboot', 'restart a container in place (files kept, processes restarted), or --fresh: a new one', 'pocketdock reboot box --fresh')
    .argument('<container>', 'container name or id')
    .option('--fresh', 'replace it with a new container with the same options (files gone, a new id, the same name)')
    .action(lazy(async () => (await import('./commands/lifecycle.js')).reboot, run));

  cmd('snapshot', "save a container's files as an image", 'pocketdock snapshot box mybox:v1')
    .argument('<container>', 'container name or id')
    .argument('<image>', 'image reference, repo[:tag]')
    .action(lazy(async () => (await import('./commands/lifecycle.js')).snapshot, run));

  cmd('prune', 'remove the managed containers that are not running (of --project)', 'pocketdock prune --older-than 1d')
    .option('--older-than <age>', "only those created this long ago: '90s', '10m', '2h', '1d'")
    .action(lazy(async () => (await import('./commands/lifecycle.js')).prune, run));

  cmd('history', 'the commands `pocketdock run` ran in a container, with their exit statuses', 'pocketdock history box --tail 20')
    .argument('<container>', 'container name or id')
    .option('--tail <lines>', 'only the last entries')
    .option('--clear', 'forget them')
    .action(lazy(async () => (await import('./commands/history.js')).history, run));

  cmd('profiles', 'the image profiles `build` makes (no registry needed), and which are present', 'pocketdock profiles --json')
    .action(lazy(async () => (await import('./commands/images.js')).profiles, run));

  cmd('build', 'build image profiles from root filesystems made by the tools/ of a pocketdock checkout', 'pocketdock build busybox node')
    .argument('[profile...]', 'busybox, node, python (default: busybox)')
    .option('--tag <ref>', 'image reference (one profile only; default pocketdock/<profile>:latest)')
    .option('--tools <dir>', "the checkout's tools/ directory (default: found from here or from this command)")
    .action(lazy(async () => (await import('./commands/build.js')).build, run));

  cmd('export', 'save an image to a file, .tar or .tar.gz (for `import` elsewhere)', 'pocketdock export pocketdock/busybox:test -o busybox.tar.gz')
    .argument('<image>', 'image reference')
    .requiredOption('-o, --output <file>', 'the file: .tar, or .tar.gz / .tgz to compress')
    .action(lazy(async () => (await import('./commands/images.js')).exportImage, run));

  cmd('import', 'load an image saved by `export`; with a reference, make one from a root filesystem tarball', 'pocketdock import busybox.tar.gz')
    .argument('<file>', '.tar or .tar.gz (gzip is recognised by its content)')
    .argument('[image]', 'a reference: the file is a root filesystem, imported as this image')
    .action(lazy(async () => (await import('./commands/images.js')).importImage, run));

  cmd('serve', 'run the flow-manager from the settings (flowManager.*) until interrupted', 'pocketdock serve --json')
    .action(lazy(async () => (await import('./commands/serve.js')).serve, run));

  const pool = cmd('pool', 'the containers of pools (label pocketdock.pool)', 'pocketdock pool ls');
  const sub = (name: string, description: string, example: string): Command =>
    pool
      .command(name)
      .description(description)
      .addHelpText('after', `\nExample:\n  $ ${example}`)
      .exitOverride()
      .configureOutput({ outputError: (text, write) => write(`pocketdock: error CLI_USAGE: ${text.replace(/^error: /, '')}`) });
  sub('ls', 'the containers of every pool (or of one), idle or leased', 'pocketdock pool ls --json')
    .argument('[pool]', 'only this pool')
    .action(lazy(async () => (await import('./commands/pool.js')).poolList, run));
  sub('prune', "remove a pool's containers (left behind by a pool process that is gone)", 'pocketdock pool prune runners')
    .argument('[pool]', 'only this pool (default: every pool)')
    .option('--stopped', 'only containers that are not running')
    .action(lazy(async () => (await import('./commands/pool.js')).poolPrune, run));
}
