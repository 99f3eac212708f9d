/**
 * `pillars completion bash|zsh`: a completion script generated from the command tree itself, so a
 * command or option added to the CLI is completed without anyone editing a script. It completes
 * subcommands, each command's options, the choices of an option that has them, and file names where
 * a command or an option takes a file or a folder.
 */
import type { Command } from 'commander';

export const completionShells = ['bash', 'zsh'] as const;
export type CompletionShell = (typeof completionShells)[number];

/** An argument or option value named like one of these is completed with file names. */
const PATH_LIKE = /file|dir|folder|yaml|json|csv|bin|path|backup|history|\.\w+>/i;

interface Node {
  path: string;
  subcommands: string[];
  options: string[];
  /** Options that take a value: completed with files, with choices, or with nothing. */
  values: { flags: string[]; files: boolean; choices?: readonly string[] }[];
  /** Whether the command's own arguments are files. */
  fileArgs: boolean;
}

function walk(c: Command, path: string, out: Node[]): Node[] {
  const options = c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));
  const node: Node = {
    path,
    // An argument with choices (completion's shell) is completed like a subcommand.
    subcommands: [...c.commands.map((s) => s.name()), ...c.registeredArguments.flatMap((a) => a.argChoices ?? [])],
    options: [...options, '--help'],
    values: c.options
      .filter((o) => o.required || o.optional)
      .map((o) => ({ flags: [o.long, o.short].filter((f): f is string => f !== undefined), files: PATH_LIKE.test(o.flags), choices: o.argChoices })),
    fileArgs: c.registeredArguments.some((a) => PATH_LIKE.test(a.name())),
  };
  if (path === c.name()) node.options.push('--version');
  out.push(node);
  for (const s of c.commands) walk(s, `${path} ${s.name()}`, out);
  return out;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The bash completion function for `program`; zsh runs the same through bashcompinit. */
function bashScript(program: Command): string {
  const name = program.name();
  const fn = `_${name.replace(/\W/g, '_')}_complete`;
  const nodes = walk(program, name, []);
  const subcommandCases = nodes
    .filter((n) => n.subcommands.length > 0)
    .map((n) => `      ${n.subcommands.map((s) => quote(`${n.path} ${s}`)).join('|')}) path="$path $w" ;;`);
  const valueCases = nodes.flatMap((n) =>
    n.values.map((v) => {
      const reply = v.choices !== undefined ? `COMPREPLY=($(compgen -W ${quote(v.choices.join(' '))} -- "$cur"))` : v.files ? 'COMPREPLY=($(compgen -f -- "$cur"))' : 'COMPREPLY=()';
      return `    ${v.flags.map((f) => quote(`${n.path} ${f}`)).join('|')}) ${reply}; return ;;`;
    }),
  );
  const wordCases = nodes.map((n) => `    ${quote(n.path)}) words=${quote([...n.subcommands, ...n.options].join(' '))}; files=${n.fileArgs ? 1 : 0} ;;`);
  return [
    `# ${name} completion for bash and zsh, generated from the command tree by \`${name} completion\`.`,
    `# bash: source <(${name} completion bash)   (or save it in /etc/bash_completion.d/${name})`,
    `${fn}() {`,
    '  local cur prev w path words files i',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    `  path=${quote(name)}`,
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    case "$path $w" in',
    ...subcommandCases,
    '    esac',
    '  done',
    '  case "$path $prev" in',
    ...valueCases,
    '  esac',
    '  words=""; files=0',
    '  case "$path" in',
    ...wordCases,
    '  esac',
    '  if [[ "$cur" == -* || $files == 0 ]]; then',
    '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
    '  else',
    '    COMPREPLY=($(compgen -f -- "$cur"))',
    '  fi',
    '}',
    `complete -o filenames -o bashdefault -F ${fn} ${name}`,
  ].join('\n');
}

export function completionScript(program: Command, shell: CompletionShell): string {
  const bash = bashScript(program);
  if (shell === 'bash') return bash + '\n';
  const name = program.name();
  return [
    `#compdef ${name}`,
    `# zsh: source <(${name} completion zsh) in ~/.zshrc; zsh's bashcompinit runs the bash completion below.`,
    'autoload -U +X compinit && { (( $+functions[compdef] )) || compinit; }',
    'autoload -U +X bashcompinit && bashcompinit',
    bash,
    '',
  ].join('\n');
}
