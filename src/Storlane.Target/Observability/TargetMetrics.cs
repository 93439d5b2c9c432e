using System.Diagnostics.Metrics;
using System.Net;
using Storlane.Target.Sessions;

namespace Storlane.Target.Observability;

/// <summary>
/// The target's instruments on <c>Meter("Storlane.Target")</c>, for any listener (the management
/// API exports them in the Prometheus format). Counts are observable: the command path only bumps
/// a <see cref="LunCounters"/> or <see cref="SessionCounters"/> field, and tags are built once per
/// LUN or session, so counting costs no allocation per command. Latency is a histogram recorded
/// with each LUN's pre-built tags. Failures are rare and use plain counters.
/// </summary>
public sealed class TargetMetrics : IDisposable
{
    public const string MeterName = "Storlane.Target";

    /// <summary>
    /// Latency buckets in seconds, from a RAM disk's tens of microseconds to a stalled array's
    /// seconds, about three per decade so a percentile read from them is within a factor of ~2.
    /// </summary>
    public static readonly IReadOnlyList<double> LatencyBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter = new(MeterName);
    private readonly Func<IEnumerable<LunCounters>> _luns;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _loginFailures;
    private readonly Counter<long> _chapFailures;

    internal TargetMetrics(Func<IEnumerable<LunCounters>> luns, Func<IReadOnlyList<(EndPoint Portal, int Count)>> connections, Func<IReadOnlyList<IscsiSession>> sessions)
    {
        _luns = luns;
        _latency = _meter.CreateHistogram(
            "storlane.lun.latency",
            "s",
            "Time from a GOOD READ or WRITE command's arrival to its completion by the logical unit (op: read or write)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        AttachLatency();

        LunCounter("storlane.lun.read.commands", c => c.ReadCommands, "{command}", "READ commands completed with GOOD status");
        LunCounter("storlane.lun.read.bytes", c => c.ReadBytes, "By", "Bytes read by READ commands completed with GOOD status");
        LunCounter("storlane.lun.write.commands", c => c.WriteCommands, "{command}", "WRITE commands completed with GOOD status");
        LunCounter("storlane.lun.write.bytes", c => c.WriteBytes, "By", "Bytes written by WRITE commands completed with GOOD status");
        LunCounter("storlane.lun.check_conditions", c => c.CheckConditions, "{command}", "Commands that ended in CHECK CONDITION (any opcode)");
        LunCounter("storlane.lun.unit_attentions", c => c.UnitAttentions, "{command}", "UNIT ATTENTION conditions reported (CHECK CONDITIONs with that sense key)");
        _meter.CreateObservableUpDownCounter("storlane.lun.outstanding", () => MeasureLuns(c => c.Outstanding), "{command}", "Commands in the logical unit now");

        SessionCounter("storlane.session.commands", c => c.Commands, "{command}", "SCSI commands accepted into the session's command window");
        SessionCounter("storlane.session.pdus", c => c.Pdus, "{pdu}", "PDUs received in full feature phase");
        SessionCounter("storlane.session.digest_errors", c => c.DataDigestErrors, "{pdu}", "PDUs whose data digest failed (RFC 7143 7.8; a header digest error ends the connection)");
        SessionCounter("storlane.session.r2ts", c => c.R2Ts, "{pdu}", "R2Ts sent to solicit write data");

        _meter.CreateObservableUpDownCounter("storlane.portal.connections", () => MeasureConnections(connections()), "{connection}", "Connections open now, by the portal endpoint they arrived on");
        _loginFailures = _meter.CreateCounter<long>("storlane.login.failures", "{login}", "Logins refused (any Login Response status other than success), by portal endpoint");
        _chapFailures = _meter.CreateCounter<long>("storlane.chap.failures", "{login}", "Failed CHAP authentications, by portal endpoint");

        void LunCounter(string name, Func<LunCounters, long> value, string unit, string description) =>
            _meter.CreateObservableCounter(name, () => MeasureLuns(value), unit, description);

        void SessionCounter(string name, Func<SessionCounters, long> value, string unit, string description) =>
            _meter.CreateObservableCounter(name, () => MeasureSessions(sessions(), value), unit, description);
    }

    /// <summary>Whether an instrument is this server's (a process with several servers, as in tests, exports each one's own).</summary>
    public bool Owns(Instrument instrument) => ReferenceEquals(instrument.Meter, _meter);

    internal void LoginFailed(EndPoint? portal) => _loginFailures.Add(1, new KeyValuePair<string, object?>("portal", portal?.ToString() ?? "?"));

    internal void ChapFailed(EndPoint? portal) => _chapFailures.Add(1, new KeyValuePair<string, object?>("portal", portal?.ToString() ?? "?"));

    /// <summary>Gives every LUN the latency histogram, including one added while serving.</summary>
    private void AttachLatency()
    {
        foreach (var lun in _luns())
        {
            lun.Latency ??= _latency;
        }
    }

    private List<Measurement<long>> MeasureLuns(Func<LunCounters, long> value)
    {
        AttachLatency();
        var measurements = new List<Measurement<long>>();
        foreach (var lun in _luns())
        {
            measurements.Add(new Measurement<long>(value(lun), lun.Tags));
        }

        return measurements;
    }

    private static List<Measurement<long>> MeasureSessions(IReadOnlyList<IscsiSession> sessions, Func<SessionCounters, long> value)
    {
        var measurements = new List<Measurement<long>>(sessions.Count);
        foreach (var session in sessions)
        {
            measurements.Add(new Measurement<long>(value(session.Counters), session.Counters.Tags(session.Tsih, session.InitiatorName, session.TargetName)));
        }

        return measurements;
    }

    private static Measurement<long>[] MeasureConnections(IReadOnlyList<(EndPoint Portal, int Count)> portals)
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
