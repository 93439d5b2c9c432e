using Spectre.Console;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>A plain-text Spectre console over a StringWriter, wide enough that tables do not wrap.</summary>
internal sealed class ConsoleCapture
{
    private readonly StringWriter _writer = new();

    public ConsoleCapture()
    {
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(_writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        Console.Profile.Width = 250;
    }

    public IAnsiConsole Console { get; }

    public string Text => _writer.ToString();
}
