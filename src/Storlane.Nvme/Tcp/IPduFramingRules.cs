namespace Storlane.Nvme.Tcp;

/// <summary>
/// The per-side part of <see cref="PduReader"/>: which PDU types this end accepts from its peer, which
/// of them carry data and how much, and what the connection has negotiated. A controller implements
/// it with <see cref="FramingLimits"/>, a host with <see cref="HostFramingLimits"/>; everything else
/// (common header, PLEN bounds, digests, the fatal errors) is one reader for both.
/// </summary>
public interface IPduFramingRules
{
    /// <summary>Who sends the PDUs read under these rules ("host" or "controller"), for error messages.</summary>
    static abstract string Peer { get; }

    /// <summary>The connection's first PDU from the peer: ICReq to a controller, ICResp to a host (3.3).</summary>
    static abstract PduType Initialization { get; }

    /// <summary>The peer's TermReq, which may come at any time, before initialization too (3.6.2.4).</summary>
    static abstract PduType TermReq { get; }

    /// <summary>The initialization exchange is done; before it only <see cref="Initialization"/> or <see cref="TermReq"/> may come.</summary>
    bool Initialized { get; }

    /// <summary>HDGST_ENABLE was negotiated.</summary>
    bool HeaderDigest { get; }

    /// <summary>DDGST_ENABLE was negotiated.</summary>
    bool DataDigest { get; }

    /// <summary>Whether the peer may send a PDU of this type at all.</summary>
    static abstract bool Accepts(PduType type);

    /// <summary>A PDU of this type must carry data (PDO not 0): the data PDUs.</summary>
    static abstract bool RequiresData(PduType type);

    /// <summary>The most data bytes one PDU of this (accepted) type may carry; -1 when it carries none.</summary>
    int DataLimit(PduType type);
}
