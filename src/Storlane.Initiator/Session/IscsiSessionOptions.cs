using System.Net;
using Microsoft.Extensions.Logging;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Initiator;

namespace Storlane.Initiator.Session;

/// <summary>How a session logs in and keeps its connection alive.</summary>
public sealed class IscsiSessionOptions
{
    public const string DefaultInitiatorName = "iqn.2026-11.io.storlane:initiator";

    /// <summary>Our iSCSI name (InitiatorName, RFC 7143 13.5); targets match their ACLs against it.</summary>
    public string InitiatorName { get; init; } = DefaultInitiatorName;

    public string? InitiatorAlias { get; init; }

    /// <summary>One-way CHAP: the name and secret we prove to the target. Null offers AuthMethod=None.</summary>
    public ChapCredential? Chap { get; init; }

    /// <summary>Mutual CHAP: the name and secret the target must prove to us. Needs <see cref="Chap"/>.</summary>
    public ChapCredential? MutualChap { get; init; }

    /// <summary>Operational values offered at login (digests, burst lengths, ...).</summary>
    public InitiatorOffer Offer { get; init; } = new();

    /// <summary>ISID for the session (RFC 7143 11.12.5); null picks a random one (type 10b).</summary>
    public ulong? Isid { get; init; }

    /// <summary>
    /// Source address the session's socket binds to (port 0) before it connects, on the first
    /// connect and every reconnect, so each path of a multipath disk can leave through its own
    /// interface; null lets the operating system choose.
    /// </summary>
    public IPAddress? LocalAddress { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound for the whole login exchange.</summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Receive silence after which a NOP-Out ping is sent; zero turns keepalive off.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a keepalive ping may go unanswered before the connection is declared dead.</summary>
    public TimeSpan KeepaliveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Tasks (commands, pings, task management) the session tracks at once; more wait for a free tag.</summary>
    public int MaxOutstandingTasks { get; init; } = 1024;

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>A copy that logs in with <paramref name="isid"/> (session reinstatement).</summary>
    internal IscsiSessionOptions WithIsid(ulong isid) => With(isid: isid);

    /// <summary>A copy with the given settings replaced; null keeps this instance's value.</summary>
    internal IscsiSessionOptions With(ulong? isid = null, ChapCredential? chap = null, ChapCredential? mutualChap = null, IPAddress? localAddress = null) => new()
    {
        InitiatorName = InitiatorName,
        InitiatorAlias = InitiatorAlias,
        Chap = chap ?? Chap,
        MutualChap = mutualChap ?? MutualChap,
        Offer = Offer,
        Isid = isid ?? Isid,
        LocalAddress = localAddress ?? LocalAddress,
        ConnectTimeout = ConnectTimeout,
        LoginTimeout = LoginTimeout,
        KeepaliveInterval = KeepaliveInterval,
        KeepaliveTimeout = KeepaliveTimeout,
        MaxOutstandingTasks = MaxOutstandingTasks,
        LoggerFactory = LoggerFactory,
    };
}
