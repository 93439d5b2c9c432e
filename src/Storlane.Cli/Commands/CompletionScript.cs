using System.CommandLine;
using System.CommandLine.Completions;
using System.Text;

namespace Storlane.Cli.Commands;

/// <summary>
/// A bash completion function written from the command tree, so it can never list a command or an
/// option the CLI does not have: subcommands and options per command, the values of options that
/// take a fixed set (--log-level, --format ...) and of such arguments, files for FileInfo options and folders for
/// DirectoryInfo ones. zsh runs the same function through bashcompinit.
/// </summary>
internal static class CompletionScript
{
    public static readonly string[] Shells = ["bash", "zsh"];

    public static string For(string shell, Command root)
    {
        var script = new StringBuilder();
        if (shell == "zsh")
        {
            script.Append("# storlane completion for zsh: add 'source <(storlane completion zsh)' to ~/.zshrc\n");
            script.Append("autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n");
        }
        else
        {
            script.Append("# storlane completion for bash: add 'source <(storlane completion bash)' to ~/.bashrc,\n");
            script.Append("# or save it as /etc/bash_completion.d/storlane\n");
        }

        AppendFunction(script, root);
        return script.ToString();
    }

    private static void AppendFunction(StringBuilder script, Command root)
    {
        var commands = new List<(string Path, Command Command)>();
        Collect(root, string.Empty, commands);

        script.Append("_storlane() {\n");
        script.Append("    local cur prev path i\n");
        script.Append("    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n");
        script.Append("    prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n");
        script.Append("    path=\"\"\n");
        script.Append("    for ((i = 1; i < COMP_CWORD; i++)); do\n");
        script.Append("        case \"$path/${COMP_WORDS[i]}\" in\n");
        var subcommandPaths = commands.Where(c => c.Path.Length > 0).Select(c => Quote(c.Path));
        script.Append("            ").Append(string.Join('|', subcommandPaths)).Append(") path=\"$path/${COMP_WORDS[i]}\" ;;\n");
        script.Append("        esac\n");
        script.Append("    done\n");

        // The word after an option that takes a value: that option's values, files or folders.
        script.Append("    case \"$path $prev\" in\n");
        foreach (var (path, command) in commands)
        {
            foreach (var option in Options(command, root).Where(o => !IsFlag(o)))
            {
                var patterns = string.Join('|', option.Aliases.Prepend(option.Name).Select(a => Quote(path + " " + a)));
                script.Append("        ").Append(patterns).Append(") ").Append(ValueCompletion(option)).Append(" return ;;\n");
            }
        }

        script.Append("    esac\n");
        script.Append("    case \"$path\" in\n");
        foreach (var (path, command) in commands)
        {
            var words = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
                .Concat(command.Arguments.Where(a => a.ValueType == typeof(string)).SelectMany(a => a.GetCompletions(CompletionContext.Empty).Select(c => c.Label)))
                .Concat(Options(command, root).SelectMany(o => o.Aliases.Prepend(o.Name)));
            script.Append("        ").Append(Quote(path)).Append(") COMPREPLY=($(compgen -W \"")
                .Append(string.Join(' ', words)).Append("\" -- \"$cur\")) ;;\n");
        }

        script.Append("    esac\n");
        script.Append("}\n");
        script.Append("complete -o default -F _storlane storlane\n");
    }

    private static void Collect(Command command, string path, List<(string, Command)> into)
    {
        into.Add((path, command));
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden))
        {
            Collect(sub, path + "/" + sub.Name, into);
        }
    }

    /// <summary>The command's own options and the root's recursive ones (--help).</summary>
    private static IEnumerable<Option> Options(Command command, Command root) =>
        command.Options.Concat(command == root ? [] : root.Options.Where(o => o.Recursive)).Where(o => !o.Hidden);

    private static bool IsFlag(Option option) => option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0;

    private static string ValueCompletion(Option option)
    {
        if (option.ValueType == typeof(FileInfo) || option.ValueType == typeof(FileInfo[]))
        {
            return "COMPREPLY=($(compgen -f -- \"$cur\"));";
        }

        if (option.ValueType == typeof(DirectoryInfo))
        {
            return "COMPREPLY=($(compgen -d -- \"$cur\"));";
        }

        var values = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        return values.Count > 0
            ? $"COMPREPLY=($(compgen -W \"{string.Join(' ', values)}\" -- \"$cur\"));"
            : "COMPREPLY=();";
    }

    /// <summary>A case pattern, quoted so that '?' and '*' in an alias (-?) match only themselves.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
