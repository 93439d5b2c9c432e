using Storlane.Bench.Suites;
using Storlane.Bench.Targets;
using Storlane.Initiator.Multipath;
using Storlane.Lab.Experiments;
using Storlane.Lab.Topology;
using YamlDotNet.RepresentationModel;

namespace Storlane.Lab.Tests.Experiments;

/// <summary>What experiments hand to storlane serve and storlane bench: configs, suites, target specs, arguments.</summary>
public sealed class ExperimentInputsTests
{
    private static readonly LabPath[] Pathing =
    [
        new(0, 0, "10.231.0.1", 3260, "10.231.0.2"),
        new(1, 1, "10.231.1.1", 3260, "10.231.1.2"),
    ];

    [Fact]
    public void TargetConfig_HasAPortalGroupPerStoragePort_AndRamLunsWithTheirGeometry()
    {
        var yaml = LabTargetConfig.Yaml(["10.231.0.1:3260", "127.0.0.5:3300"], [new(0, 512, 512), new(1, 4096, 4096), new(2, 512, 4096, 1 << 20)]);

        var root = (YamlMappingNode)Load(yaml);
        var portals = (YamlSequenceNode)root["portals"];
        Assert.Equal(2, portals.Children.Count);
        Assert.Equal("127.0.0.5", Scalar(portals[1], "address"));
        Assert.Equal("3300", Scalar(portals[1], "port"));
        Assert.Equal("2", Scalar(portals[1], "group"));
        var target = ((YamlSequenceNode)root["targets"])[0];
        Assert.Equal(LabTargetConfig.TargetName, Scalar(target, "name"));
        var luns = (YamlSequenceNode)((YamlMappingNode)target)["luns"];
        Assert.All(luns.Children, lun => Assert.Equal("memory", Scalar(lun, "backend")));
        Assert.Equal("4096", Scalar(luns[2], "physical-block-size"));
        Assert.Equal("512", Scalar(luns[2], "logical-block-size"));
        Assert.Equal("1048576", Scalar(luns[2], "size"));
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1")]
    [InlineData("host:port", "host:port")]
    public void TargetConfig_RefusesAPortalWithoutAPort(string portal, string named)
    {
        var error = Assert.Throws<FormatException>(() => LabTargetConfig.Yaml([portal], [new(0, 512, 512)]));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(512, 512, "512n")]
    [InlineData(4096, 4096, "4Kn")]
    [InlineData(512, 4096, "512e")]
    public void Lun_IsNamedAsDriveVendorsNameTheFormat(int logical, int physical, string format)
    {
        Assert.Equal(format, new LabLun(0, logical, physical).Format);
    }

    [Fact]
    public void MpioSuite_LoadsInTheBench_WithTheSeedsThreeRows()
    {
        var suite = YamlSuiteLoader.Parse(LabSuites.Mpio(1.5, 0.2), "mpio.yaml");

        Assert.Equal([LabSuites.SeqRead, LabSuites.SeqWrite, LabSuites.RandomQd16], suite.Tests.Select(t => t.Name));
        var read = suite.Tests[0];
        Assert.Equal(1 << 20, read.Workload.MaxBlockSize);
        Assert.Equal(4, read.Workload.QueueDepth);
        Assert.Equal(0, read.Workload.Access[0].RandomPercent);
        Assert.Equal(1.5, read.Workload.DurationSeconds);
        Assert.Equal(0.2, read.Workload.WarmUpSeconds);
        Assert.Equal(PrimaryMetric.MegabytesPerSecond, read.Metric);
        Assert.Equal(0, suite.Tests[1].Workload.Access[0].ReadPercent);
        Assert.Equal(16, suite.Tests[2].Workload.QueueDepth);
        Assert.Equal(PrimaryMetric.Iops, suite.Tests[2].Metric);
    }

    [Fact]
    public void FailoverSuite_LoadsInTheBench_AndVerifiesEveryBlock()
    {
        var suite = YamlSuiteLoader.Parse(LabSuites.Failover(18), "failover.yaml");

        var test = Assert.Single(suite.Tests);
        Assert.True(test.Workload.Verify);
        Assert.Equal(18, test.Workload.DurationSeconds);
        Assert.Equal(50, test.Workload.Access[0].ReadPercent);
    }

    [Fact]
    public void DemoSuites_LoadInTheBench_WithTheirRowCounts_AndAWarmUpBeforeEveryRun()
    {
        var paths = YamlSuiteLoader.Parse(DemoSuites.Paths(1), "paths.yaml");
        var sectors = YamlSuiteLoader.Parse(DemoSuites.Sectors(1), "sectors.yaml");

        Assert.Equal([DemoSuites.SeqRead], paths.Tests.Select(t => t.Name));
        Assert.Equal([DemoSuites.RandomRead, DemoSuites.RandomWrite], sectors.Tests.Select(t => t.Name));
        Assert.Equal((DemoSuites.PathsRows, DemoSuites.SectorsRows), (paths.Tests.Count, sectors.Tests.Count));
        Assert.All(paths.Tests.Concat(sectors.Tests), t => Assert.Equal(0.2, t.Workload.WarmUpSeconds));
        Assert.All(paths.Tests.Concat(sectors.Tests), t => Assert.Equal(1, t.Workload.DurationSeconds));
        Assert.Equal(4, paths.Tests[0].Workload.QueueDepth);
        Assert.Equal(PrimaryMetric.Iops, sectors.Tests[0].Metric);
        Assert.Equal(0.05, DemoSuites.WarmUpSeconds(0.1), 6);
    }

    [Fact]
    public void WarmUpSuite_LoadsInTheBench()
    {
        var suite = YamlSuiteLoader.Parse(LabSuites.WarmUp(0.5), "warm-up.yaml");

        Assert.Equal(3, suite.Tests.Count);
        Assert.All(suite.Tests, t => Assert.Equal(0.5, t.Workload.DurationSeconds));
    }

    [Fact]
    public void MultipathSpec_ParsesInTheBench_WithStandbyAndWeights()
    {
        var spec = BenchTargetSpec.Multipath(Pathing, "round-robin-with-subset", [new(0, 0), new(1, 1, Standby: true)], 2);

        var parsed = MultipathTargetSpec.Parse(spec);
        Assert.Equal(PathPolicy.RoundRobinWithSubset, parsed.Policy);
        Assert.False(parsed.Paths[0].IsStandby);
        Assert.True(parsed.Paths[1].IsStandby);
        Assert.Equal("10.231.1.2", parsed.Paths[1].Url.LocalAddress?.ToString());
        Assert.Equal(2ul, (ulong)parsed.Paths[0].Url.Lun!.Value);

        var weighted = MultipathTargetSpec.Parse(BenchTargetSpec.Multipath(Pathing, "weighted-paths", [new(0, 0, Weight: 1), new(1, 1, Weight: 2)], 0));
        Assert.Equal([1, 2], weighted.Paths.Select(p => p.Weight));
    }

    [Fact]
    public void MultipathSpec_ForAPathTheTopologyLacks_NamesIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => BenchTargetSpec.Multipath(Pathing, "round-robin", [new(0, 1)], 0));

        Assert.Contains("server NIC 0 to storage port 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invocation_BecomesBenchArguments_InvariantlyFormatted()
    {
        var invocation = new BenchInvocation
        {
            Targets = ["a", "b"],
            Suite = "anvil",
            Tests = 10,
            Repeat = 2,
            DurationSeconds = 1.5,
            WarmUpSeconds = 0.25,
            JsonPath = "/tmp/r.json",
            HtmlPath = "/tmp/r.html",
            SampleIntervalMs = 100,
        };

        Assert.Equal(
            ["bench", "--target", "a", "--target", "b", "--write", "--suite", "anvil", "--repeat", "2", "--duration", "1.5s", "--warmup", "0.25s", "--json", "/tmp/r.json", "--html", "/tmp/r.html", "--sample-interval", "100ms"],
            invocation.ToArguments());
        Assert.Equal(TimeSpan.FromSeconds(10 * 2 * 2 * 1.75), invocation.ExpectedDuration);
    }

    [Fact]
    public void PathLabels_NameEveryPathByItsWiring_AMeshToo_AndLeaveOtherNamesAlone()
    {
        // The initiator names a path by portal and source address, so in a mesh (one portal reached
        // from two NICs) every path still has a name of its own.
        LabPath[] mesh = [new(0, 0, "10.0.0.1", 3260, "10.0.0.11"), new(1, 0, "10.0.0.1", 3260, "10.0.0.12"), new(1, 1, "10.0.0.2", 3260, "10.0.0.12")];

        var label = PathLabels.For(mesh);

        Assert.Equal("nic0->port0", label("10.0.0.1:3260 via 10.0.0.11"));
        Assert.Equal("nic1->port0", label("10.0.0.1:3260 via 10.0.0.12"));
        Assert.Equal("nic1->port1", label("10.0.0.2:3260 via 10.0.0.12"));
        Assert.Equal("nic0->port0", PathLabels.For(Pathing)("10.231.0.1:3260 via 10.231.0.2"));
        Assert.Equal("10.0.0.1:3260", label("10.0.0.1:3260"));
        Assert.Equal("elsewhere:1", label("elsewhere:1"));
    }

    [Theory]
    [InlineData("1gbit", 1_000_000_000)]
    [InlineData("10GBIT", 10_000_000_000)]
    [InlineData(" 10g ", 10_000_000_000)]
    public void Rate_ParsesTheTwoLinkSpeeds(string text, long bits)
    {
        Assert.True(LabRate.TryParse(text, out var parsed));
        Assert.Equal(bits, parsed);
    }

    [Theory]
    [InlineData("100mbit")]
    [InlineData("")]
    [InlineData(null)]
    public void Rate_RefusesOthers(string? text)
    {
        Assert.False(LabRate.TryParse(text, out _));
    }

    [Fact]
    public void Payload_OfAGigabitLink_IsThe119MegabytesPerSecondOfA1GbENic()
    {
        Assert.Equal(119.6, LabRate.PayloadMegabytesPerSecond(LabRate.OneGigabit), 1);
    }

    [Fact]
    public void Options_DefaultToTheFullRun_AndShortModeToTheCiRun()
    {
        var full = new LabRunOptions { OutputDirectory = "x" };
        var quick = full with { Short = true };

        Assert.Equal((3, 5.0), (full.RepeatOrDefault, full.DurationOrDefault));
        Assert.Equal((2, 1.0), (quick.RepeatOrDefault, quick.DurationOrDefault));
        Assert.Equal(LabRate.TenGigabit, full.RateOr(LabRate.TenGigabit));
        Assert.Equal(4, (quick with { Repeat = 4 }).RepeatOrDefault);
    }

    [Fact]
    public void Output_IsCreated_AndAFileInTheWayIsAClearError()
    {
        var root = Directory.CreateTempSubdirectory("storlane-lab-output-").FullName;
        try
        {
            var created = LabOutput.Prepare(Path.Combine(root, "a", "b"));
            Assert.True(Directory.Exists(created));

            var file = Path.Combine(root, "file");
            File.WriteAllText(file, "");
            var error = Assert.Throws<LabExperimentException>(() => LabOutput.Prepare(file));
            Assert.Contains("is a file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FailoverSchedule_PullsAfterABaseline_AndRestoresWithTimeLeftToSeeThePathReadmitted(bool isShort)
    {
        var (duration, pull, restore) = FailoverExperiment.Schedule(isShort);

        Assert.True(pull >= 2, "at least 2 s of baseline before the pull");
        Assert.True(restore - pull >= 3, "the survivor carries the load for a while");
        Assert.True(duration - restore >= 3, "two probes a second apart re-admit the path before the run ends");
    }

    [Fact]
    public void DemoPull_LeavesLoadBeforeDuringAndAfterTheCableIsOut()
    {
        var (run, pull, restore) = DemoExperiment.PullSchedule(1);

        Assert.True(TimeSpan.FromSeconds(1) <= pull, "a baseline of whole intervals before the pull");
        Assert.True(TimeSpan.FromSeconds(1) <= restore - pull, "the survivor carries the load for a while");
        Assert.True(TimeSpan.FromSeconds(1) <= TimeSpan.FromSeconds(run) - restore, "I/O goes on after the restore");
    }

    private static YamlNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents[0].RootNode;
    }

    private static string? Scalar(YamlNode node, string key) => ((YamlScalarNode)((YamlMappingNode)node)[key]).Value;
}
