using System.Buffers;
using Storlane.Iscsi;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;

namespace Storlane.Target.Connections;

/// <summary>Text requests in full feature phase: SendTargets (RFC 7143 Appendix C) and renegotiation.</summary>
internal sealed partial class IscsiConnection
{
    private void HandleTextRequest(Bhs bhs, in ReadOnlySequence<byte> data)
    {
        var session = _session!;
        if (!session.Window.TryAccept(bhs.CmdSN, bhs.Immediate, consumesTask: false))
        {
            return;
        }

        var itt = bhs.InitiatorTaskTag;
        if (bhs.TargetTransferTag != Bhs.ReservedTag && bhs.TargetTransferTag == _textTtt && _textPending is not null)
        {
            // The initiator asks for the rest of a long answer (RFC 7143 11.10.4).
            SendTextChunk(itt, bhs.LunField);
            return;
        }

        _textPending = null;
        if (_textRequest.WrittenCount + data.Length > _server.Limits.MaxTextBytes)
        {
            // Continued text (C = 1) is gathered until its last piece; like the login's text it
            // is bounded, or one session could make the target hold any amount of it.
            _textRequest.Clear();
            IscsiProtocolException.Throw(RejectReason.ProtocolError, $"text request longer than {_server.Limits.MaxTextBytes} bytes (max-text-bytes)");
        }

        foreach (var segment in data)
        {
            _textRequest.Write(segment.Span);
        }

        if (bhs.Continue)
        {
            // "C ... the text in this request is not complete": answer empty and wait for more.
            SendTextResponse(itt, bhs.LunField, [], final: false, continues: false, Bhs.ReservedTag);
            return;
        }

        var offered = new List<KeyValuePair<string, string>>();
        var text = new ReadOnlySequence<byte>(_textRequest.WrittenMemory);
        var parsed = TextParameters.TryParse(text, offered, out var error);
        _textRequest.ResetWrittenCount();
        if (!parsed)
        {
            ThrowMalformedText(error);
        }

        var response = new List<KeyValuePair<string, string>>();
        var rest = new List<KeyValuePair<string, string>>();
        foreach (var pair in offered)
        {
            if (pair.Key == "SendTargets")
            {
                AppendSendTargets(session.Type == SessionType.Discovery, pair.Value, session, response);
            }
            else
            {
                rest.Add(pair);
            }
        }

        if (rest.Count > 0 && !session.Negotiator.Process(LoginPhase.FullFeature, rest, response).IsSuccess)
        {
            // A key that may not be renegotiated now (e.g. leading-only): reject the request.
            Enqueue(CreateReject(RejectReason.ProtocolError, _header));
            return;
        }

        var output = new ArrayBufferWriter<byte>();
        foreach (var pair in response)
        {
            TextParameters.Append(output, pair.Key, pair.Value);
        }

        _textPending = output.WrittenSpan.ToArray();
        _textPendingOffset = 0;
        SendTextChunk(itt, bhs.LunField);
    }

    private static void ThrowMalformedText(string? error) =>
        IscsiProtocolException.Throw(RejectReason.ProtocolError, "malformed text request: " + error);

    /// <summary>
    /// SendTargets=All lists every target this initiator may see (ACLs applied) with every portal,
    /// "TargetAddress=address:port,tpgt" (Appendix C). In a normal session only the session's target.
    /// </summary>
    private void AppendSendTargets(bool discovery, string value, Sessions.IscsiSession session, List<KeyValuePair<string, string>> response)
    {
        foreach (var target in _server.Targets.Values)
        {
            var wanted = discovery
                ? value == "All" || string.Equals(value, target.Name, StringComparison.OrdinalIgnoreCase)
                : ReferenceEquals(target, session.Target) && (value.Length == 0 || value == "All" || string.Equals(value, target.Name, StringComparison.OrdinalIgnoreCase));
            if (!wanted || !target.Allows(session.InitiatorName))
            {
                continue;
            }

            response.Add(new("TargetName", target.Name));
            AppendTargetAddresses(response);
        }
    }

    /// <summary>
    /// "TargetAddress=domainname[:port],portal-group-tag" for every portal listening now (RFC 7143
    /// 13.8), so addresses added or removed since the target started are reported as they are. A
    /// loopback address only reaches an initiator on this host, so it is offered only to an
    /// initiator that itself came in over loopback (or in memory).
    /// </summary>
    private void AppendTargetAddresses(List<KeyValuePair<string, string>> response)
    {
        // An in-memory connection (tests, benchmarks) has no local endpoint: it is on this host.
        var overLoopback = Local is not System.Net.IPEndPoint local || System.Net.IPAddress.IsLoopback(local.Address);
        foreach (var portal in _server.Portals())
        {
            var address = portal.Endpoint.Address;
            if (!overLoopback && System.Net.IPAddress.IsLoopback(address))
            {
                continue;
            }

            var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
            response.Add(new("TargetAddress", $"{host}:{portal.Endpoint.Port},{portal.Group}"));
        }
    }

    /// <summary>Sends the next piece of a text answer no larger than the initiator's MaxRecvDataSegmentLength.</summary>
    private void SendTextChunk(uint itt, ulong lunField)
    {
        var pending = _textPending!;
        var max = _session!.Parameters.InitiatorMaxRecvDataSegmentLength;
        var length = Math.Min(max, pending.Length - _textPendingOffset);
        var chunk = pending.AsSpan(_textPendingOffset, length).ToArray();
        _textPendingOffset += length;
        var more = _textPendingOffset < pending.Length;
        if (more)
        {
            _textTtt = NextTargetTransferTag();
        }
        else
        {
            _textPending = null;
            _textTtt = Bhs.ReservedTag;
        }

        SendTextResponse(itt, lunField, chunk, final: !more, continues: more, more ? _textTtt : Bhs.ReservedTag);
    }

    private void SendTextResponse(uint itt, ulong lunField, byte[] data, bool final, bool continues, uint ttt)
    {
        var pdu = ControlPdu.Create(Opcode.TextResponse);
        var bhs = pdu.Bhs;
        bhs.Final = final;
        bhs.Continue = continues;
        bhs.LunField = lunField;
        bhs.InitiatorTaskTag = itt;
        bhs.TargetTransferTag = ttt;
        pdu.Data = data;
        Enqueue(pdu);
    }
}
