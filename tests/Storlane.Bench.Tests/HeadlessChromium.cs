using System.Diagnostics;

namespace Storlane.Bench.Tests;

/// <summary>Debian's headless Chromium, started with the flags a closed network needs, stopped by its PID.</summary>
internal static class HeadlessChromium
{
    public const string Path = "/usr/bin/chromium";

    public static bool Installed => File.Exists(Path);

    /// <summary>Runs Chromium on a local file with the given mode arguments; returns standard output.</summary>
    public static async Task<string> RunAsync(string htmlFile, params string[] modeArguments)
    {
        var profile = Directory.CreateTempSubdirectory("storlane-chromium-").FullName;
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--user-data-dir=" + profile, "--window-size=1280,1600",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in modeArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(new Uri(htmlFile).AbsoluteUri);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }

        return await output;
    }
}

/// <summary>A fact that reports itself skipped, naming the package, when Chromium is not installed.</summary>
internal sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!HeadlessChromium.Installed)
        {
            Skip = "needs headless Chromium (apt-get install chromium)";
        }
    }
}
