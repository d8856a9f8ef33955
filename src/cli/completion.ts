// Shell completion scripts, generated from the commander program itself (every command, option and
// choice list), so they cannot fall behind the CLI. Each shell gets the same model: a command path
// ("sealbox cert fetch"), its subcommands, its options, which options take a value and their choices.
import type { Argument, Command, Option } from "commander";
import type { Shell } from "./commands/completion.js";

interface OptionSpec {
  long?: string;
  short?: string;
  takesValue: boolean;
  choices: string[];
  description: string;
}

interface CommandSpec {
  /** "sealbox", "sealbox cert", "sealbox cert fetch". */
  path: string;
  name: string;
  description: string;
  options: OptionSpec[];
  subcommands: CommandSpec[];
  /** Choices of the first positional argument (e.g. `completion bash|zsh|fish`). */
  argumentChoices: string[];
}

const HELP_OPTION: OptionSpec = { long: "--help", short: "-h", takesValue: false, choices: [], description: "display help for command" };

function optionSpec(option: Option): OptionSpec {
  return {
    long: option.long,
    short: option.short,
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
    description: option.description,
  };
}

/** The command tree as the completion scripts see it; the root's options apply everywhere. */
export function describeProgram(program: Command): CommandSpec {
  const globals = program.options.filter((o) => !o.hidden).map(optionSpec);
  const walk = (command: Command, parentPath: string | undefined, inherited: OptionSpec[]): CommandSpec => {
    const path = parentPath === undefined ? command.name() : `${parentPath} ${command.name()}`;
    const own = parentPath === undefined ? [] : command.options.filter((o) => !o.hidden).map(optionSpec);
    const visible = command.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
    const spec: CommandSpec = {
      path,
      name: command.name(),
      description: command.description(),
      options: [...own, ...inherited, HELP_OPTION],
      subcommands: visible.map((c) => walk(c, path, inherited)),
      argumentChoices: (command.registeredArguments as readonly Argument[])[0]?.argChoices ?? [],
    };
    // commander adds `help [command]` itself to a program with subcommands.
    if (visible.length && !visible.some((c) => c.name() === "help")) {
      spec.subcommands.push({ path: `${path} help`, name: "help", description: "display help for command", options: [], subcommands: [], argumentChoices: visible.map((c) => c.name()) });
    }
    return spec;
  };
  return walk(program, undefined, globals);
}

function flatten(spec: CommandSpec): CommandSpec[] {
  return [spec, ...spec.subcommands.flatMap(flatten)];
}

function flags(option: OptionSpec): string[] {
  return [option.long, option.short].filter((f): f is string => Boolean(f));
}

export function completionScript(program: Command, shell: Shell): string {
  const tree = describeProgram(program);
  switch (shell) {
    case "bash":
      return bashScript(tree);
    case "zsh":
      return zshScript(tree);
    case "fish":
      return fishScript(tree);
  }
}

// Every name we emit (commands, flags, choices) is [A-Za-z0-9._-]; refuse anything else rather than
// quote it wrongly in three shells.
function word(text: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(text)) throw new Error(`completion: unexpected character in ${JSON.stringify(text)}`);
  return text;
}

function words(list: string[]): string {
  return list.map(word).join(" ");
}

function caseTable(fn: string, entries: [string, string][]): string {
  const arms = entries.filter(([, value]) => value).map(([key, value]) => `    "${key}") echo "${value}" ;;`);
  return `${fn}() {\n  case "$1" in\n${arms.join("\n")}\n  esac\n}`;
}

function bashScript(tree: CommandSpec): string {
  const all = flatten(tree);
  const root = word(tree.name);
  const fn = `_${root.replace(/-/g, "_")}`;
  const choices: [string, string][] = [];
  for (const c of all) {
    for (const o of c.options) for (const f of flags(o)) if (o.choices.length) choices.push([`${c.path} ${f}`, words(o.choices)]);
    if (c.argumentChoices.length) choices.push([`${c.path} `, words(c.argumentChoices)]);
  }
  return `# ${root} completion for bash. Load it with:  source <(${root} completion bash)
# or save it as /etc/bash_completion.d/${root}. Generated from the CLI itself.
${caseTable(`${fn}_subcommands`, all.map((c) => [c.path, words(c.subcommands.map((s) => s.name))]))}
${caseTable(`${fn}_options`, all.map((c) => [c.path, words(c.options.flatMap(flags))]))}
${caseTable(`${fn}_value_options`, all.map((c) => [c.path, words(c.options.filter((o) => o.takesValue).flatMap(flags))]))}
${caseTable(`${fn}_choices`, choices)}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="${root}" w i skip=0 list
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      -*=*) ;;
      -*) [[ " $(${fn}_value_options "$cmd") " == *" $w "* ]] && skip=1 ;;
      *) [[ " $(${fn}_subcommands "$cmd") " == *" $w "* ]] && cmd="$cmd $w" ;;
    esac
  done
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if ((skip)); then
    # the word is an option's value: its choices, else file names (complete -o default)
    list="$(${fn}_choices "$cmd $prev")"
    [[ -n "$list" ]] && COMPREPLY=($(compgen -W "$list" -- "$cur"))
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$cmd")" -- "$cur"))
    return 0
  fi
  list="$(${fn}_subcommands "$cmd")"
  [[ -z "$list" ]] && list="$(${fn}_choices "$cmd ")"
  [[ -n "$list" ]] && COMPREPLY=($(compgen -W "$list" -- "$cur"))
  return 0
}
complete -o default -F ${fn} ${root}
`;
}

/** A single-quoted string for zsh and fish ('it'"'"'s' style is not needed: both accept '\\'' ). */
function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function zshScript(tree: CommandSpec): string {
  const all = flatten(tree);
  const root = word(tree.name);
  const fn = `_${root.replace(/-/g, "_")}`;
  const arrays = (name: string, pick: (c: CommandSpec) => string[]) =>
    `${fn}_${name}() {\n  case "$1" in\n${all
      .map((c) => [c.path, pick(c)] as const)
      .filter(([, list]) => list.length)
      .map(([path, list]) => `    (${quoted(path)}) reply=(${list.join(" ")}) ;;`)
      .join("\n")}\n    (*) reply=() ;;\n  esac\n}`;
  const describe = (name: string, description: string) => quoted(`${name.replace(/:/g, "\\:")}:${description}`);
  const choiceArms: string[] = [];
  for (const c of all) {
    for (const o of c.options) for (const f of flags(o)) if (o.choices.length) choiceArms.push(`    (${quoted(`${c.path} ${f}`)}) reply=(${words(o.choices)}) ;;`);
    if (c.argumentChoices.length) choiceArms.push(`    (${quoted(`${c.path} `)}) reply=(${words(c.argumentChoices)}) ;;`);
  }
  return `#compdef ${root}
# ${root} completion for zsh. Load it with:  source <(${root} completion zsh)
# or save it as _${root} in a directory on $fpath. Generated from the CLI itself.
${arrays("subcommands", (c) => c.subcommands.map((s) => describe(word(s.name), s.description)))}
${arrays("options", (c) => c.options.flatMap((o) => flags(o).map((f) => describe(word(f), o.description))))}
${arrays("value_options", (c) => c.options.filter((o) => o.takesValue).flatMap(flags).map(word))}
${fn}_choices() {
  case "$1" in
${choiceArms.join("\n")}
    (*) reply=() ;;
  esac
}
${fn}() {
  local cmd=${root} w i skip=0 prev
  local -a reply list
  for ((i = 2; i < CURRENT; i++)); do
    w=\${words[i]}
    if ((skip)); then skip=0; continue; fi
    case $w in
      (-*=*) ;;
      (-*) ${fn}_value_options "$cmd"; ((\${reply[(Ie)$w]})) && skip=1 ;;
      (*) ${fn}_subcommands "$cmd"; list=(\${reply%%:*}); ((\${list[(Ie)$w]})) && cmd="$cmd $w" ;;
    esac
  done
  prev=\${words[CURRENT-1]}
  if ((skip)); then
    ${fn}_choices "$cmd $prev"
    if ((\${#reply})); then compadd -a reply; else _files; fi
    return
  fi
  if [[ $PREFIX == -* ]]; then
    ${fn}_options "$cmd"; list=("\${reply[@]}")
    _describe -t options option list
    return
  fi
  ${fn}_subcommands "$cmd"; list=("\${reply[@]}")
  if ((\${#list})); then _describe -t commands command list; return; fi
  ${fn}_choices "$cmd "
  if ((\${#reply})); then compadd -a reply; else _files; fi
}
# autoloaded from $fpath: complete now; sourced: register with compdef
if [[ "$funcstack[1]" == "${fn}" ]]; then ${fn} "$@"; else compdef ${fn} ${root}; fi
`;
}

function fishScript(tree: CommandSpec): string {
  const all = flatten(tree);
  const root = word(tree.name);
  const fn = `__${root.replace(/-/g, "_")}`;
  const lines: string[] = [
    `# ${root} completion for fish. Load it with:  ${root} completion fish | source`,
    `# or save it as ~/.config/fish/completions/${root}.fish. Generated from the CLI itself.`,
    `function ${fn}_path --description 'the ${root} command path typed so far'`,
    `    set -l path ${root}`,
    `    for t in (commandline -opc)[2..-1]`,
    `        switch "$path $t"`,
    `            case ${all.filter((c) => c !== tree).map((c) => quoted(c.path)).join(" ")}`,
    `                set path "$path $t"`,
    `        end`,
    `    end`,
    `    echo $path`,
    `end`,
    `function ${fn}_is --description 'true when the command path typed so far is $argv'`,
    `    test (${fn}_path) = "$argv"`,
    `end`,
    `complete -c ${root} -f`,
  ];
  for (const c of all) {
    const when = `-n ${quoted(`${fn}_is ${c.path}`)}`;
    for (const s of c.subcommands) lines.push(`complete -c ${root} ${when} -a ${word(s.name)} -d ${quoted(s.description)}`);
    if (c.argumentChoices.length) lines.push(`complete -c ${root} ${when} -a ${quoted(words(c.argumentChoices))}`);
    else if (!c.subcommands.length) lines.push(`complete -c ${root} ${when} -F`);
    for (const o of c.options) {
      const parts = [`complete -c ${root} ${when}`];
      if (o.long) parts.push(o.long.startsWith("--") ? `-l ${word(o.long.slice(2))}` : `-o ${word(o.long.slice(1))}`);
      if (o.short) parts.push(`-s ${word(o.short.slice(1))}`);
      if (o.choices.length) parts.push(`-x -a ${quoted(words(o.choices))}`);
      else if (o.takesValue) parts.push("-r -F");
      parts.push(`-d ${quoted(o.description)}`);
      lines.push(parts.join(" "));
    }
  }
  return lines.join("\n") + "\n";
}
