using System.Diagnostics;

namespace Storlane.Management.Tests;

/// <summary>Debian's headless Chromium on a URL of the API's TLS listener (self-signed: certificate errors ignored), stopped by its PID.</summary>
internal static class HeadlessChromium
{
    public const string Path = "/usr/bin/chromium";

    /// <summary>Loads <paramref name="url"/>, lets the page run for <paramref name="budget"/> of virtual time, returns standard output.</summary>
    public static async Task<string> RunAsync(string url, TimeSpan budget, params string[] modeArguments)
    {
        var profile = Directory.CreateTempSubdirectory("storlane-chromium-").FullName;
        var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--ignore-certificate-errors", "--hide-scrollbars",
            "--user-data-dir=" + profile, "--window-size=1280,900",
            "--virtual-time-budget=" + ((int)budget.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in modeArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(url);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
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
