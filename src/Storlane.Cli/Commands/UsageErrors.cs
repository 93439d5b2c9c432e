using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Storlane.Cli.Configuration;

namespace Storlane.Cli.Commands;

/// <summary>
/// Bad arguments, the same way for every command: the error first ("storlane: ..."), one line
/// each, then a hint naming the help to read (with the nearest command or option when a word was
/// mistyped), and exit code 2; never the whole help after the error.
/// </summary>
internal static class UsageErrors
{
    public static bool Found(ParseResult parseResult) => parseResult.Action is ParseErrorAction;

    public static int Report(ParseResult parseResult, TextWriter error)
    {
        foreach (var problem in parseResult.Errors)
        {
            // One line each: System.CommandLine lists allowed values on lines of their own.
            error.WriteLine("storlane: " + string.Join(' ', problem.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        }

        var command = parseResult.CommandResult.Command;
        var suggestion = Suggestion(command, parseResult.UnmatchedTokens);
        error.WriteLine($"{suggestion}see '{CommandPath(parseResult.CommandResult)} --help'");
        return ExitCodes.UsageError;
    }

    /// <summary>"storlane disk create": the root is named "storlane" whatever the host process is called.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is CommandResult { Command: var command }; current = current.Parent)
        {
            if (command is not RootCommand)
            {
                names.Insert(0, command.Name);
            }
        }

        names.Insert(0, "storlane");
        return string.Join(' ', names);
    }

    private static string Suggestion(Command command, IReadOnlyList<string> unmatched)
    {
        var known = command.Subcommands.Select(c => c.Name)
            .Concat(command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)))
            .Where(name => name.Length > 2)
            .ToList();
        foreach (var token in unmatched)
        {
            if (KeySuggestion.Nearest(token, known) is { } nearest)
            {
                return $"did you mean '{nearest}'? ";
            }
        }

        return string.Empty;
    }
}
