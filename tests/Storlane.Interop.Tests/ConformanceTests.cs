using Storlane.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Storlane.Interop.Tests;

/// <summary>
/// libiscsi's conformance suite, <c>iscsi-test-cu -d -S</c> (destructive and SANITIZE tests allowed)
/// over family ALL, against <c>storlane serve</c> with scratch 4Kn memory LUNs (removable, SANITIZE held
/// to a disk's pace, see <see cref="ConformanceTarget"/>): once over one path, once over the multipath
/// pair (two portals, two initiator names, the same LUN); and the ReadOnly family against a
/// write-protected LUN. A test that fails, other than the known failures below, fails this test; so
/// does a real pass count (skips not counted) below the recorded floor, or a skip of a test that must
/// run. The full output is kept under artifacts/conformance/ at the repository root and in the test
/// output. docs/conformance.md explains every skip.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>
    /// Real passes on the 4Kn LUNs with libiscsi 1.19 (Debian 12), recorded when the scratch LUNs
    /// became removable (+9: PreventAllow, StartStopUnit.Simple) and a SANITIZE OVERWRITE started
    /// lasting as long as a disk's (+1: Sanitize.Reset): 220 / 10 / 0 single path (encrypted LUN),
    /// 220 / 9 / 1 multipath (its LUN is not encrypted, so the 3 crypto-erase checks skip while the 4
    /// MultipathIO tests run). Tests in the known-failure lists do not count, so the floors are one
    /// lower than those passes. Raise them when more passes; never lower them to make a regression green.
    /// </summary>
    private const int SinglePathFloor = 219;

    private const int MultipathFloor = 219;

    private const string IscsiTestCu = ExternalTools.IscsiTestCu;

    /// <summary>
    /// iSCSITMF.AbortTaskSimpleAsync failed in 3 of 6 CI runs (WRITE GOOD and ABORT TASK FUNCTION
    /// COMPLETE for the same task) and never in 9 runs on this machine since. A race with exactly that
    /// outcome is fixed (an abort could find the task already recycled for the next command, see
    /// TargetTaskAbortTests); until CI has stayed clean for a while the test is tolerated, not counted.
    /// </summary>
    private const string AbortTaskSimpleAsync = "iSCSITMF.AbortTaskSimpleAsync";

    /// <summary>Failures of the single-path run tracked in docs/conformance.md; anything else failing fails the build.</summary>
    private static readonly HashSet<string> SinglePathKnownFailures = [AbortTaskSimpleAsync];

    /// <summary>
    /// The multipath run's: also Sanitize.Reset. Sanitize.Reservations takes a RESERVE(6) from the
    /// second path and never releases it (libiscsi closes only a connection it cloned, and in a
    /// multipath run the second path is not a clone), so the next test, Sanitize.Reset, gets
    /// RESERVATION CONFLICT for its SANITIZE from the first path, as SPC-2 reservations require. It
    /// passes alone over the same pair, and in the single-path run.
    /// </summary>
    private static readonly HashSet<string> MultipathKnownFailures = [AbortTaskSimpleAsync, "Sanitize.Reset"];

    /// <summary>
    /// Tests that must run and pass in both family-ALL runs, not merely "pass" by printing [SKIPPED]:
    /// the removable-medium suites (SBC-3 5.11, 5.25), the SANITIZE overwrite and its survival of
    /// every reset (SBC-3 4.11), and the data-out recovery of RFC 7143 7.8.
    /// </summary>
    private static readonly string[] MustRun =
    [
        "PreventAllow.Simple", "PreventAllow.Eject", "PreventAllow.ITNexusLoss", "PreventAllow.Logout",
        "PreventAllow.WarmReset", "PreventAllow.ColdReset", "PreventAllow.LUNReset", "PreventAllow.2ITNexuses",
        "StartStopUnit.Simple", "StartStopUnit.PwrCnd", "StartStopUnit.NoLoej", "NoMedia.NoMediaSBC",
        "Sanitize.Overwrite", "Sanitize.Reset", "Sanitize.BlockErase",
        "iSCSIdatasn.iSCSIDataSnInvalid",
    ];

    // Three 8-second overwrites and Sanitize.Reset's own 60 s wait come on top of about 3 minutes.
    private static readonly TimeSpan SuiteTimeout = TimeSpan.FromMinutes(12);

    [ToolFact(IscsiTestCu)]
    public async Task IscsiTestCu_FamilyAll_SinglePath_NoUnexpectedFailures()
    {
        await using var target = await ConformanceTarget.StartAsync();
        var result = await CommandRunner.RunAsync(IscsiTestCu, ["-d", "-S", "-t", "ALL", target.Url(0, 0)], SuiteTimeout);
        Check(result, "single-path-4kn", SinglePathFloor, SinglePathKnownFailures);
    }

    [ToolFact(IscsiTestCu)]
    public async Task IscsiTestCu_FamilyAll_Multipath_NoUnexpectedFailures()
    {
        await using var target = await ConformanceTarget.StartAsync();
        var result = await CommandRunner.RunAsync(IscsiTestCu, ["-d", "-S", "-t", "ALL", target.Url(0, 1), target.Url(1, 1)], SuiteTimeout);
        Check(result, "multipath-4kn", MultipathFloor, MultipathKnownFailures);
    }

    [ToolFact(IscsiTestCu)]
    public async Task IscsiTestCu_ReadOnly_WriteProtectedLun()
    {
        // SBC-3 4.13 write protection: every write-type command on a `read-only: true` LUN ends DATA
        // PROTECT, WRITE PROTECTED. Family ALL skips this suite on a writable LUN.
        await using var target = await ConformanceTarget.StartAsync();
        var result = await CommandRunner.RunAsync(IscsiTestCu, ["-d", "-t", "ALL.ReadOnly", target.Url(0, ConformanceTarget.ReadOnlyLun)], SuiteTimeout);
        var report = ConformanceReport.Parse(result.Output);
        var file = SaveArtifact("read-only-4kn", result);
        output.WriteLine($"iscsi-test-cu read-only-4kn: {report.Summary()} (full output: {file})");
        output.WriteLine(result.Output);
        Assert.True(report.Failed.Count == 0 && report.Passed.Contains("ReadOnly.ReadOnlySBC"), $"iscsi-test-cu read-only: {report.Summary()}\n{result}");
    }

    private void Check(CommandResult result, string name, int floor, HashSet<string> knownFailures)
    {
        var report = ConformanceReport.Parse(result.Output);
        var file = SaveArtifact(name, result);
        output.WriteLine($"iscsi-test-cu {name}: {report.Summary()} (full output: {file})");
        output.WriteLine(result.Output);
        var unexpected = report.Failed.Where(t => !knownFailures.Contains(t)).ToList();
        Assert.True(report.Total > 200, $"iscsi-test-cu ran {report.Total} tests; expected family ALL (about 230):\n{result}");
        Assert.True(unexpected.Count == 0, $"iscsi-test-cu {name}: unexpected failures: {string.Join(", ", unexpected)}\n{report.Summary()}\nfull output: {file}");
        var notRun = MustRun.Where(t => !report.Passed.Contains(t) && !knownFailures.Contains(t)).ToList();
        Assert.True(notRun.Count == 0, $"iscsi-test-cu {name}: these must run and pass, but did not (skipped, failed or missing): {string.Join(", ", notRun)}\n{report.Summary()}\nfull output: {file}");
        var counted = report.Passed.Count(t => !knownFailures.Contains(t));
        Assert.True(counted >= floor, $"iscsi-test-cu {name}: {counted} real passes outside the known failures, below the floor of {floor}\n{report.Summary()}\nfull output: {file}");
    }

    /// <summary>Writes the full output to artifacts/conformance/iscsi-test-cu-NAME.txt under the repository root (CI keeps artifacts/).</summary>
    private static string SaveArtifact(string name, CommandResult result)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Storlane.slnx")))
        {
            directory = directory.Parent;
        }

        var folder = Path.Combine(directory?.FullName ?? Path.GetTempPath(), "artifacts", "conformance");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, $"iscsi-test-cu-{name}.txt");
        File.WriteAllText(file, $"$ {result.Command}\nexit code {result.ExitCode}\n\n{result.Output}\n{result.Error}");
        return file;
    }
}
