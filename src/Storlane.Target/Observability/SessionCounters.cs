namespace Storlane.Target.Observability;

/// <summary>
/// One session's counts, bumped on its connection's receive loop with Interlocked (no allocation)
/// and read by the observable session instruments: SCSI commands accepted into the window, PDUs
/// received, Data-Out and other PDUs whose data digest failed (RFC 7143 7.8), R2Ts sent.
/// </summary>
public sealed class SessionCounters
{
    private long _commands;
    private long _pdus;
    private long _dataDigestErrors;
    private long _r2ts;
    private KeyValuePair<string, object?>[]? _tags;

    public long Commands => Interlocked.Read(ref _commands);

    public long Pdus => Interlocked.Read(ref _pdus);

    public long DataDigestErrors => Interlocked.Read(ref _dataDigestErrors);

    public long R2Ts => Interlocked.Read(ref _r2ts);

    public void Command() => Interlocked.Increment(ref _commands);

    public void Pdu() => Interlocked.Increment(ref _pdus);

    public void DataDigestError() => Interlocked.Increment(ref _dataDigestErrors);

    public void R2T() => Interlocked.Increment(ref _r2ts);

    /// <summary>The session's metric tags, built at the first collection that sees it (the TSIH is known only after login).</summary>
    internal KeyValuePair<string, object?>[] Tags(ushort tsih, string initiator, string target) =>
        _tags ??= [new("tsih", (long)tsih), new("initiator", initiator), new("target", target.Length == 0 ? "discovery" : target)];
}
