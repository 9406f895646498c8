import type { Command } from 'commander';

// Shell completion generated from the command tree, so it never drifts from the commands themselves.

export function completionScript(shell: 'bash' | 'zsh', program: Command): string {
  const commands = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
  // A command group (evidence) offers its subcommands where another command offers its options.
  const optionsOf = (name: string) => {
    const command = program.commands.find((c) => c.name() === name);
    return (command?.commands ?? [])
      .map((c) => c.name())
      .concat(
        (command?.options ?? []).map((o) => o.long).filter((l): l is string => !!l),
        '--help',
        '--as',
      );
  };
  if (shell === 'bash') {
    const cases = commands.map((c) => `    ${c}) opts="${optionsOf(c).join(' ')}" ;;`).join('\n');
    return `# incident completion for bash: add to ~/.bashrc with  incident completion bash >> ~/.bashrc
_incident_complete() {
  local cur cmd opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  cmd="\${COMP_WORDS[1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${commands.join(' ')}" -- "$cur") )
    return
  fi
  case "$cmd" in
${cases}
    *) opts="--help" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F _incident_complete incident`;
  }
  const described = program.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => `    '${c.name()}:${c.description().replace(/'/g, '').replace(/:/g, ' -')}'`)
    .join('\n');
  const cases = commands
    .map(
      (c) =>
        `    ${c}) _values 'option' ${optionsOf(c)
          .map((o) => `'${o}'`)
          .join(' ')} ;;`,
    )
    .join('\n');
  return `#compdef incident
# incident completion for zsh: save as _incident in a directory of your $fpath, or: source <(incident completion zsh)
_incident() {
  local -a commands
  commands=(
${described}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case "$words[2]" in
${cases}
  esac
}
compdef _incident incident 2>/dev/null || true`;
}
