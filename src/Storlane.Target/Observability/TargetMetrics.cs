using System.Diagnostics.Metrics;
using System.Net;

namespace Storlane.Target.Observability;

/// <summary>
/// The target's instruments on <c>Meter("Storlane.Target")</c>, for any listener (the management
/// API exports them in the Prometheus format). Per-LUN counts are observable: the command path
/// only bumps a <see cref="LunCounters"/> field, and tags are built once per LUN, so counting
/// costs no allocation per command. Failures are rare and use plain counters.
/// </summary>
public sealed class TargetMetrics : IDisposable
{
    public const string MeterName = "Storlane.Target";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _loginFailures;
    private readonly Counter<long> _chapFailures;

    internal TargetMetrics(IReadOnlyList<LunCounters> luns, Func<IReadOnlyList<(EndPoint Portal, int Count)>> connections)
    {
        var tagged = new (LunCounters Counters, KeyValuePair<string, object?>[] Tags)[luns.Count];
        for (var i = 0; i < luns.Count; i++)
        {
            tagged[i] = (luns[i], [new("target", luns[i].Target), new("lun", (long)luns[i].Lun)]);
        }

        _meter.CreateObservableCounter("storlane.lun.read.commands", () => Measure(tagged, c => c.ReadCommands), "{command}", "READ commands completed with GOOD status");
        _meter.CreateObservableCounter("storlane.lun.read.bytes", () => Measure(tagged, c => c.ReadBytes), "By", "Bytes read by READ commands completed with GOOD status");
        _meter.CreateObservableCounter("storlane.lun.write.commands", () => Measure(tagged, c => c.WriteCommands), "{command}", "WRITE commands completed with GOOD status");
        _meter.CreateObservableCounter("storlane.lun.write.bytes", () => Measure(tagged, c => c.WriteBytes), "By", "Bytes written by WRITE commands completed with GOOD status");
        _meter.CreateObservableUpDownCounter("storlane.portal.connections", () => MeasureConnections(connections()), "{connection}", "Connections open now, by the portal endpoint they arrived on");
        _loginFailures = _meter.CreateCounter<long>("storlane.login.failures", "{login}", "Logins refused (any Login Response status other than success), by portal endpoint");
        _chapFailures = _meter.CreateCounter<long>("storlane.chap.failures", "{login}", "Failed CHAP authentications, by portal endpoint");
    }

    internal void LoginFailed(EndPoint? portal) => _loginFailures.Add(1, new KeyValuePair<string, object?>("portal", portal?.ToString() ?? "?"));

    internal void ChapFailed(EndPoint? portal) => _chapFailures.Add(1, new KeyValuePair<string, object?>("portal", portal?.ToString() ?? "?"));

    private static IEnumerable<Measurement<long>> Measure((LunCounters Counters, KeyValuePair<string, object?>[] Tags)[] luns, Func<LunCounters, long> value)
    {
        var measurements = new Measurement<long>[luns.Length];
        for (var i = 0; i < luns.Length; i++)
        {
            measurements[i] = new Measurement<long>(value(luns[i].Counters), luns[i].Tags);
        }

        return measurements;
    }

    private static IEnumerable<Measurement<long>> MeasureConnections(IReadOnlyList<(EndPoint Portal, int Count)> portals)
    {
        var measurements = new Measurement<long>[portals.Count];
        for (var i = 0; i < portals.Count; i++)
        {
            measurements[i] = new Measurement<long>(portals[i].Count, new KeyValuePair<string, object?>("portal", portals[i].Portal.ToString()));
        }

        return measurements;
    }

    public void Dispose() => _meter.Dispose();
}
