namespace Storlane.Interop.Tests.Infrastructure;

/// <summary>
/// Where the real `storlane` program is: the test project references Storlane.Cli, so the build
/// copies storlane.dll (with its runtimeconfig and dependencies) next to this test assembly, and
/// it runs as <c>dotnet storlane.dll</c>, the same program `dotnet run --project src/Storlane.Cli` starts.
/// </summary>
internal static class StorlaneCli
{
    public static string DllPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "storlane.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"storlane.dll is not next to the test assembly in {AppContext.BaseDirectory}; build tests/Storlane.Interop.Tests (it references src/Storlane.Cli)", path);
        }
    }

    /// <summary>The dotnet host that runs this test process, so the server runs on the same runtime.</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
            {
                return hostPath;
            }

            if (Environment.ProcessPath is { } processPath && Path.GetFileNameWithoutExtension(processPath) == "dotnet")
            {
                return processPath;
            }

            if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
            {
                return Path.Combine(root, "dotnet");
            }

            return ExternalTools.Find("dotnet") ?? "dotnet";
        }
    }

    /// <summary>Runs <c>storlane</c> with <paramref name="arguments"/> to completion (for commands that should exit by themselves).</summary>
    public static Task<CommandResult> RunAsync(params string[] arguments) =>
        CommandRunner.RunAsync(DotnetHost, [DllPath, .. arguments], TimeSpan.FromSeconds(60));
}
