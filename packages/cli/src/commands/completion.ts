import type { Command } from 'commander';
import { CliError } from '../errors.js';

function flags(cmd: Command): string[] {
  return cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
}

/** A completion script for `shell` (bash, zsh or fish): commands, then each command's options. */
export function completion(program: Command, shell: string): string {
  const commands = program.commands.map((c) => ({ name: c.name(), about: c.description(), flags: flags(c) }));
  const globals = [...flags(program), '--help'];
  const names = commands.map((c) => c.name).join(' ');
  if (shell === 'bash') {
    const cases = commands.map((c) => `    ${c.name}) opts="${[...c.flags, ...globals].join(' ')}" ;;`).join('\n');
    return `# pocketdock bash completion: source <(pocketdock completion bash)
_pocketdock() {
  local cur=\${COMP_WORDS[COMP_CWORD]} opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names} ${globals.join(' ')}" -- "$cur"))
    return
  fi
  case \${COMP_WORDS[1]} in
${cases}
    *) opts="${globals.join(' ')}" ;;
  esac
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o default -F _pocketdock pocketdock
`;
  }
  if (shell === 'zsh') {
    const described = commands.map((c) => `    '${c.name}:${c.about.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`).join('\n');
    const cases = commands.map((c) => `    ${c.name}) compadd -- ${[...c.flags, ...globals].join(' ')} ;;`).join('\n');
    return `#compdef pocketdock
# pocketdock zsh completion: pocketdock completion zsh > "\${fpath[1]}/_pocketdock"
_pocketdock() {
  local -a commands
  commands=(
${described}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case $words[2] in
${cases}
  esac
  _files
}
compdef _pocketdock pocketdock
`;
  }
  if (shell === 'fish') {
    const lines = commands.flatMap((c) => [
      `complete -c pocketdock -n __fish_use_subcommand -a ${c.name} -d '${c.about.replace(/'/g, "\\'")}'`,
      ...c.flags
        .filter((f) => f.startsWith('--'))
        .map((f) => `complete -c pocketdock -n '__fish_seen_subcommand_from ${c.name}' -l ${f.slice(2)}`),
    ]);
    const global = globals.filter((f) => f.startsWith('--')).map((f) => `complete -c pocketdock -l ${f.slice(2)}`);
    return `# pocketdock fish completion: pocketdock completion fish > ~/.config/fish/completions/pocketdock.fish\n${[...lines, ...global].join('\n')}\n`;
  }
  throw new CliError('CLI_INVALID_ARGUMENT', `completion ${shell}: expected bash, zsh or fish`);
}
