using Spectre.Console;
using Storlane.Bench.Engine;
using Storlane.Bench.Reporting;
using Storlane.Bench.Suites;
using Storlane.Bench.Workload;

namespace Storlane.Bench.Tests;

/// <summary>
/// What makes bench safe and interruptible: which tests write (so --write / --read-only can be
/// decided), what a sample of blocks holds, and a run stopped midway that still reports every
/// completed run, marked partial.
/// </summary>
public sealed class SafetyAndPartialTests
{
    private static readonly WorkloadSpec Read = WorkloadSpec.Simple(4096, 100, 100) with { IoCount = 200 };

    [Fact]
    public void Anvil_HasFourWriteTests_AndReadOnlyKeepsTheSixReads()
    {
        var anvil = AnvilSuite.Create(1);

        Assert.Equal(["Write Seq 4MB", "Write 4K", "Write 4K QD4", "Write 4K QD16"], WriteGuard.WritingTests(anvil));
        var readOnly = WriteGuard.ReadOnly(anvil);
        Assert.Equal(6, readOnly.Tests.Count);
        Assert.All(readOnly.Tests, t => Assert.False(WriteGuard.Writes(t.Workload)));
    }

    [Fact]
    public void AMixedOrVerifiedWorkload_Writes()
    {
        Assert.True(WriteGuard.Writes(WorkloadSpec.Simple(4096, 70, 100)));
        Assert.True(WriteGuard.Writes(Read with { Verify = true }));
        Assert.False(WriteGuard.Writes(Read));
    }

    [Fact]
    public async Task FindData_SeesAWrittenBlock_AndNothingOnAFreshDevice()
    {
        await using var target = TestTargets.Memory();
        var size = target.Info.SizeBytes;
        var block = target.Info.LogicalBlockSize;

        Assert.Null(await WriteGuard.FindDataAsync(size, block, 1, target.ReadAsync, CancellationToken.None));
        var lastBlock = size - block;
        await target.WriteAsync(lastBlock, new byte[block].Select(_ => (byte)0x5A).ToArray(), CancellationToken.None);
        Assert.Equal(lastBlock, await WriteGuard.FindDataAsync(size, block, 1, target.ReadAsync, CancellationToken.None));
    }

    [Fact]
    public async Task StoppedDuringTheSecondTest_KeepsTheFirstTestsRuns_MarkedPartial()
    {
        await using var target = TestTargets.Memory();
        var suite = new BenchSuite("three", [new SuiteTest("One", Read, PrimaryMetric.Iops), new SuiteTest("Two", Read, PrimaryMetric.Iops), new SuiteTest("Three", Read, PrimaryMetric.Iops)]);
        using var stop = new CancellationTokenSource();

        // Ctrl-C as the third run (the first of test Two) starts.
        var report = await SuiteRunner.RunAsync(suite, [target], repeat: 2, (_, _, run, _, _) =>
        {
            if (run == 3)
            {
                stop.Cancel();
            }
        }, cancellationToken: stop.Token);

        Assert.Equal(new PartialRun(2, 6), report.Partial);
        var test = Assert.Single(report.Tests);
        Assert.Equal("One", test.Name);
        Assert.Equal(2, test.Results[0].Runs.Count);
        Assert.Contains("\"partial\"", JsonReport.Serialize(report), StringComparison.Ordinal);
        Assert.Contains("partial result: stopped after 2 of 6 runs", HtmlReport.Format(report), StringComparison.Ordinal);
        Assert.Contains("partial result", Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACompleteRun_IsNotPartial_AndItsJsonSaysNothingAboutIt()
    {
        await using var target = TestTargets.Memory();

        var report = await SuiteRunner.RunAsync(new BenchSuite("one", [new SuiteTest("One", Read, PrimaryMetric.Iops)]), [target], repeat: 1);

        Assert.Null(report.Partial);
        Assert.DoesNotContain("\"partial\"", JsonReport.Serialize(report), StringComparison.Ordinal);
    }

    private static string Render(BenchReport report)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 250;
        ConsoleReport.Render(console, report);
        return writer.ToString();
    }
}
