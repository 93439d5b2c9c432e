using Spectre.Console;

namespace Storlane.Cli.Commands;

/// <summary>
/// A Spectre console over the command's output writer. On a terminal: colours, width and live
/// progress as detected; redirected (a file, a pipe, a test's StringWriter): plain text, 200
/// columns so the table does not wrap.
/// </summary>
internal static class BenchConsole
{
    private const int RedirectedWidth = 200;

    public static IAnsiConsole Create(TextWriter output)
    {
        var terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
