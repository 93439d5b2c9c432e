using Storlane.Interop.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Storlane.Interop.Tests;

/// <summary>
/// libiscsi's conformance suite, <c>iscsi-test-cu -d -S</c> (destructive and SANITIZE tests allowed)
/// over family ALL, against <c>storlane serve</c> with scratch 4Kn memory LUNs: once over one path,
/// once over the multipath pair (two portals, two initiator names, the same LUN); the ReadOnly
/// family against a write-protected LUN; and the PreventAllow, StartStopUnit and NoMedia families
/// against a removable LUN. A test that fails, other than the known failures below,
/// fails this test; so does a real pass count (skips not counted) below the recorded floor. The full
/// output is kept under artifacts/conformance/ at the repository root and in the test output.
/// docs/conformance.md explains every skip.
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output)
{
    /// <summary>
    /// Real passes on a 4Kn LUN with libiscsi 1.19 (Debian 12), recorded when SANITIZE, ORWRITE,
    /// WRITE ATOMIC(16), READ DEFECT DATA, EXTENDED COPY / RECEIVE COPY RESULTS and a changeable SWP
    /// landed (177 / 181 before), plus iSCSIDataSnInvalid once a DataSN gap ended the task with
    /// CHECK CONDITION instead of the connection. The single-path LUN is encrypted, so SANITIZE
    /// CRYPTOGRAPHIC ERASE runs too (+3: Sanitize.CryptoErase, and the crypto parts of
    /// Sanitize.Readonly and Sanitize.Reservations); the multipath LUN is not, so both kinds are
    /// covered. They count only tests outside <see cref="KnownFailures"/>, so an intermittent known
    /// failure cannot move them. Raise them when more passes; never lower them to make a regression green.
    /// </summary>
    private const int SinglePathFloor = 209;

    private const int MultipathFloor = 210;

    private const string IscsiTestCu = "iscsi-test-cu";

    /// <summary>
    /// Failures tracked with their reason in docs/conformance.md. Anything else failing fails the build.
    /// </summary>
    private static readonly HashSet<string> KnownFailures =
    [
        // The test expects the SANITIZE OVERWRITE it started to be still running 3 s later (TEST UNIT
        // READY then NOT READY, SANITIZE IN PROGRESS); on a 64 MiB RAM LUN it finishes in milliseconds.
        // While one runs, commands do get SANITIZE IN PROGRESS (unit test SanitizeTests).
        "Sanitize.Reset",

        // Intermittent under load (1 run in about 10 on a busy 2-core machine, 0 in 30 runs alone):
        // the WRITE gets GOOD and the ABORT TASK answer is FUNCTION COMPLETE. Open transport flaw,
        // tracked in docs/conformance.md; listed so CI is not a coin toss while it is found.
        "iSCSITMF.AbortTaskSimpleAsync",
    ];

    private static readonly TimeSpan SuiteTimeout = TimeSpan.FromMinutes(5);

    [ToolFact(IscsiTestCu)]
    public async Task IscsiTestCu_FamilyAll_SinglePath_NoUnexpectedFailures()
    {
        await using var target = await ConformanceTarget.StartAsync();
        var result = await CommandRunner.RunAsync(IscsiTestCu, ["-d", "-S", "-t", "ALL", target.Url(0, 0)], SuiteTimeout);
        Check(result, "single-path-4kn", SinglePathFloor);
    }

    [ToolFact(IscsiTestCu)]
    public async Task IscsiTestCu_FamilyAll_Multipath_NoUnexpectedFailures()
    {
        await using var target = await ConformanceTarget.StartAsync();
        var result = await CommandRunner.RunAsync(IscsiTestCu, ["-d", "-S", "-t", "ALL", target.Url(0, 1), target.Url(1, 1)], SuiteTimeout);
        Check(result, "multipath-4kn", MultipathFloor);
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

    [ToolFact(IscsiTestCu)]
    public async Task IscsiTestCu_RemovableMedium_PreventAllowStartStopUnitNoMedia()
    {
        // SBC-3 5.11 PREVENT ALLOW MEDIUM REMOVAL and 5.25 START STOP UNIT LOEJ on a `removable: true`
        // LUN (RMB = 1). On the other LUNs these suites print [SKIPPED] (or skip silently). Every test of
        // the three families must really pass: no failure, no skip.
        string[] expected =
        [
            "PreventAllow.Simple", "PreventAllow.Eject", "PreventAllow.ITNexusLoss", "PreventAllow.Logout",
            "PreventAllow.WarmReset", "PreventAllow.ColdReset", "PreventAllow.LUNReset", "PreventAllow.2ITNexuses",
            "StartStopUnit.Simple", "StartStopUnit.PwrCnd", "StartStopUnit.NoLoej",
            "NoMedia.NoMediaSBC",
        ];
        await using var target = await ConformanceTarget.StartAsync();
        var passed = new List<string>();
        foreach (var family in new[] { "PreventAllow", "StartStopUnit", "NoMedia" })
        {
            var result = await CommandRunner.RunAsync(IscsiTestCu, ["-d", "-t", $"ALL.{family}", target.Url(0, ConformanceTarget.RemovableLun)], SuiteTimeout);
            var report = ConformanceReport.Parse(result.Output);
            var file = SaveArtifact($"removable-4kn-{family}", result);
            output.WriteLine($"iscsi-test-cu removable-4kn {family}: {report.Summary()} (full output: {file})");
            output.WriteLine(result.Output);
            Assert.True(report.Failed.Count == 0 && report.Skipped.Count == 0, $"iscsi-test-cu removable {family}: {report.Summary()}\n{result}");
            passed.AddRange(report.Passed);
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), passed.Order(StringComparer.Ordinal));
    }

    private void Check(CommandResult result, string name, int floor)
    {
        var report = ConformanceReport.Parse(result.Output);
        var file = SaveArtifact(name, result);
        output.WriteLine($"iscsi-test-cu {name}: {report.Summary()} (full output: {file})");
        output.WriteLine(result.Output);
        var unexpected = report.Failed.Where(t => !KnownFailures.Contains(t)).ToList();
        Assert.True(report.Total > 200, $"iscsi-test-cu ran {report.Total} tests; expected family ALL (about 230):\n{result}");
        Assert.True(unexpected.Count == 0, $"iscsi-test-cu {name}: unexpected failures: {string.Join(", ", unexpected)}\n{report.Summary()}\nfull output: {file}");
        var counted = report.Passed.Count(t => !KnownFailures.Contains(t));
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
