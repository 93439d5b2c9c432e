using Spectre.Console;
using Xunit.Abstractions;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>
/// What an experiment test runs in: a fresh folder for its output and a captured console. On
/// dispose the console text goes to the test's log (the progress a failure needs) and the folder is deleted.
/// </summary>
internal sealed class ExperimentWorkspace(ITestOutputHelper log, string folderPrefix) : IDisposable
{
    private readonly ConsoleCapture _console = new();

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory(folderPrefix).FullName;

    public IAnsiConsole Console => _console.Console;

    public string ConsoleText => _console.Text;

    public void Dispose()
    {
        log.WriteLine(_console.Text);
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
