using System.Buffers;
using System.Net;
using Storlane.Iscsi;
using Storlane.Iscsi.Chap;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;
using Storlane.Scsi;
using Storlane.Target.Sessions;

namespace Storlane.Target.Connections;

/// <summary>
/// The login phase (RFC 7143 6.3, 11.12, 11.13): security negotiation (None or CHAP), operational
/// negotiation, then the transit to full feature phase that creates or reinstates the session.
/// </summary>
internal sealed partial class IscsiConnection
{
    private void HandleLoginRequest(Bhs bhs, in ReadOnlySequence<byte> data)
    {
        if (_refusing)
        {
            return; // a held-back refusal is on its way; the login is over
        }

        var failure = ProcessLoginRequest(bhs, data, out var response, out var transit, out var nextStage);
        if (failure is { } status)
        {
            if (status.Status == LoginStatus.AuthenticationFailure && RequiredCredential() is not null)
            {
                RefuseAuthentication(bhs, status.Reason);
                return;
            }

            SendLoginFailure(bhs, status.Status, status.Reason);
            return;
        }

        if (transit && nextStage == LoginStage.FullFeaturePhase)
        {
            CompleteLogin(bhs, response!);
            return;
        }

        SendLoginResponse(bhs, response ?? [], transit, nextStage, tsih: 0, final: false);
        if (transit)
        {
            _stage = nextStage;
        }
    }

    private (LoginStatus Status, string Reason)? ProcessLoginRequest(Bhs bhs, in ReadOnlySequence<byte> data, out List<KeyValuePair<string, string>>? response, out bool transit, out LoginStage nextStage)
    {
        response = null;
        transit = false;
        nextStage = _stage;
        if (!_loginStarted)
        {
            // RFC 7143 11.12.4: Version-max/min bracket the versions the initiator supports; 0x00 is ours.
            if (bhs.VersionMinOrActive > 0)
            {
                return (LoginStatus.UnsupportedVersion, "no common version");
            }

            _loginStarted = true;
            _isid = bhs.Isid;
            _connectionId = bhs.ConnectionId;
            _loginItt = bhs.InitiatorTaskTag;
            _stage = bhs.CurrentStage;
            _window = new CommandWindow(bhs.CmdSN, _server.Options.CommandWindow, _server.Limits.ImmediateCommands);
            _writer.BeginNumbering(bhs.ExpStatSN, _window);
            if (bhs.Tsih != 0)
            {
                // A connection for an existing session. We negotiate MaxConnections=1 (no MC/S).
                return _server.Sessions.Find(bhs.Tsih) is null
                    ? (LoginStatus.SessionDoesNotExist, "unknown TSIH")
                    : (LoginStatus.TooManyConnections, "sessions have one connection (MaxConnections=1)");
            }

            _negotiator = new LoginNegotiator(
                new TargetNegotiationLimits { TargetPortalGroupTag = _portal.Group },
                leadingConnection: true);
        }
        else if (bhs.Isid != _isid || bhs.ConnectionId != _connectionId || bhs.InitiatorTaskTag != _loginItt)
        {
            // 11.12.5-11.12.7: ISID, TSIH, CID and ITT stay the same through one login.
            return (LoginStatus.InitiatorError, "ISID, CID or ITT changed during login");
        }

        if (bhs.CurrentStage != _stage || bhs.CurrentStage is not (LoginStage.SecurityNegotiation or LoginStage.LoginOperationalNegotiation))
        {
            return (LoginStatus.InitiatorError, "login stage out of sequence");
        }

        if (bhs.Transit && (bhs.NextStage <= bhs.CurrentStage || bhs.NextStage == (LoginStage)2))
        {
            return (LoginStatus.InitiatorError, "invalid next stage");
        }

        if (bhs.Continue && bhs.Transit)
        {
            // 11.12.2: "A Login Request with the C bit set to 1 MUST have the T bit set to 0."
            return (LoginStatus.InitiatorError, "C and T bits both set");
        }

        foreach (var segment in data)
        {
            _loginText.Write(segment.Span);
        }

        if (_loginText.WrittenCount > 64 * 1024)
        {
            return (LoginStatus.InitiatorError, "login text too long");
        }

        response = [];
        if (bhs.Continue)
        {
            // The text continues in the next Login Request; answer with an empty response.
            return null;
        }

        var offered = new List<KeyValuePair<string, string>>();
        var parsed = TextParameters.TryParse(new ReadOnlySequence<byte>(_loginText.WrittenMemory), offered, out var parseError);
        _loginText.ResetWrittenCount();
        if (!parsed)
        {
            return (LoginStatus.InitiatorError, "malformed login text: " + parseError);
        }

        var negotiator = _negotiator!;
        var phase = _stage == LoginStage.SecurityNegotiation ? LoginPhase.Security : LoginPhase.Operational;
        var outcome = negotiator.Process(phase, offered, response);
        if (outcome.Status != LoginStatus.Success)
        {
            return (outcome.Status, outcome.Reason ?? "negotiation failed");
        }

        if (_chap is null && ResolveTarget(negotiator) is { } refused)
        {
            return refused;
        }

        if (_stage == LoginStage.SecurityNegotiation)
        {
            if (_chap!.AwaitingResponse && _server.AuthThrottle.RetryAfter(negotiator.InitiatorName, RemoteAddress) is { Ticks: > 0 } wait)
            {
                // A guess while an earlier failure of this initiator or address is still held back
                // is not checked at all, so parallel connections gain nothing. "Target Error ... the
                // target sees no errors in the initiator's Login Request but is currently incapable
                // of fulfilling the request. The initiator may retry the same Login Request later."
                // (RFC 7143 11.13.5; 0x0301 Service Unavailable)
                return (LoginStatus.ServiceUnavailable, $"failed CHAP attempts of this initiator or address are being slowed; retry in {wait.TotalMilliseconds:F0} ms");
            }

            var security = _chap.Process(offered, response);
            if (security.State == SecurityState.Failed)
            {
                return (security.Status, security.Reason ?? "authentication failed");
            }

            if (security.State == SecurityState.Authenticated && _chap.AuthMethod == "CHAP")
            {
                _server.AuthThrottle.RecordSuccess(negotiator.InitiatorName!);
            }

            _securityDone |= security.State == SecurityState.Authenticated;
            if (bhs.Transit && !_securityDone && _chap.AuthMethod != "CHAP")
            {
                // Leaving the security stage without a CHAP exchange under way: it passes only
                // when the target requires no authentication.
                var end = _chap.EndSecurityPhase();
                if (end.State == SecurityState.Failed)
                {
                    return (end.Status, end.Reason ?? "authentication required");
                }

                _securityDone = end.State == SecurityState.Authenticated;
            }
        }
        else if (!_securityDone && RequiredCredential() is not null)
        {
            // The initiator skipped the security stage of a target that requires CHAP.
            return (LoginStatus.AuthenticationFailure, "CHAP is required");
        }

        // The target may refuse to transit while security is incomplete (RFC 7143 6.2).
        transit = bhs.Transit && (_stage != LoginStage.SecurityNegotiation || _securityDone);
        nextStage = transit ? bhs.NextStage : _stage;
        if (transit && nextStage == LoginStage.FullFeaturePhase)
        {
            negotiator.AppendTargetDeclarations(response);

            // Keys the target had to offer itself need the initiator's answer first (RFC 7143 6.2).
            transit = !negotiator.AwaitingInitiatorResponses;
            nextStage = transit ? nextStage : _stage;
        }

        return null;
    }

    /// <summary>Finds the requested target and applies its ACL once the initiator has named itself.</summary>
    private (LoginStatus, string)? ResolveTarget(LoginNegotiator negotiator)
    {
        if (negotiator.InitiatorName is null)
        {
            return (LoginStatus.MissingParameter, "InitiatorName missing");
        }

        if (negotiator.SessionType == SessionType.Normal)
        {
            if (negotiator.TargetName is not { } name)
            {
                return (LoginStatus.MissingParameter, "TargetName missing");
            }

            if (!_server.Targets.TryGetValue(name, out var target))
            {
                return (LoginStatus.TargetNotFound, "no such target");
            }

            if (!target.Allows(negotiator.InitiatorName))
            {
                return (LoginStatus.AuthorizationFailure, "initiator not in the target's ACL");
            }

            _loginTarget = target;
            _chap = new ChapTargetAuthenticator(target.Chap, target.MutualChap);
        }
        else
        {
            _chap = new ChapTargetAuthenticator(_server.DiscoveryChap, null);
        }

        return null;
    }

    private ChapCredential? RequiredCredential() => _loginTarget is { } target ? target.Chap : _server.DiscoveryChap;

    private void CompleteLogin(Bhs request, List<KeyValuePair<string, string>> response)
    {
        var negotiator = _negotiator!;
        var initiatorName = negotiator.InitiatorName!;
        ItNexus? nexus = null;
        if (_loginTarget is { } target)
        {
            // RFC 7143 10.1 / SAM-5: the SCSI port names of this I_T nexus.
            nexus = new ItNexus(
                initiatorName + ",i,0x" + _isid.ToString("x12", System.Globalization.CultureInfo.InvariantCulture),
                target.Name + ",t,0x" + _portal.Group.ToString("x4", System.Globalization.CultureInfo.InvariantCulture),
                relativeTargetPortId: _portal.Group,
                targetPortGroup: _portal.Group);
        }

        var session = new IscsiSession(_isid, initiatorName, negotiator.SessionType, _loginTarget, negotiator, _window!, nexus)
        {
            Connection = this,
        };

        // An initiator that dropped a connection and logs in again sent its FIN before this login:
        // that nexus is lost now, before the new session's first command (SBC-3 5.11 prevention,
        // SPC-4 5.12.1 legacy reservations), whether or not its receive loop has noticed yet.
        foreach (var other in _server.Sessions.Snapshot())
        {
            if (other.Connection is { } connection && !ReferenceEquals(connection, this)
                && string.Equals(other.InitiatorName, initiatorName, StringComparison.Ordinal) && connection.PeerHasClosed())
            {
                connection.EndNexusNow("closed by initiator");
            }
        }

        // RFC 7143 6.3.5: a leading login with TSIH 0 and the ISID of a live session of the same
        // initiator and target reinstates it: the old session is closed, its tasks aborted, its
        // nexus state released before the new session's first command.
        if (!_server.Sessions.TryAdd(session, _server.Limits.MaxSessionsPerTarget, out var replaced))
        {
            SendLoginFailure(request, LoginStatus.OutOfResources, $"the target already serves {_server.Limits.MaxSessionsPerTarget} sessions (max-sessions-per-target)");
            return;
        }

        if (replaced is not null)
        {
            TargetLog.SessionReinstated(_server.Loggers.Login, replaced.Tsih, initiatorName);
            replaced.Connection?.EndNexusNow("session reinstated by a new login");
        }

        _session = session;
        SendLoginResponse(request, response, transit: true, LoginStage.FullFeaturePhase, session.Tsih, final: true);
        _readOptions = new PduReadOptions
        {
            MaxDataSegmentLength = session.Parameters.TargetMaxRecvDataSegmentLength,
            HeaderDigest = session.Parameters.HeaderDigest,
            DataDigest = session.Parameters.DataDigest,
        };
        TargetLog.LoginSucceeded(_server.Loggers.Login, Number, initiatorName, session.TargetName, session.Type.ToString(), session.Tsih, Remote);
    }

    private void SendLoginResponse(Bhs request, List<KeyValuePair<string, string>> keys, bool transit, LoginStage nextStage, ushort tsih, bool final)
    {
        var pdu = ControlPdu.Create(Opcode.LoginResponse);
        pdu.ApplyAfter = final ? _session!.Parameters : null;
        var bhs = pdu.Bhs;
        bhs.Transit = transit;
        bhs.CurrentStage = request.CurrentStage;
        bhs.NextStage = transit ? nextStage : 0;
        bhs.VersionMax = 0;
        bhs.VersionMinOrActive = 0;
        bhs.Isid = _isid;
        bhs.Tsih = tsih;
        bhs.InitiatorTaskTag = request.InitiatorTaskTag;
        var text = new ArrayBufferWriter<byte>();
        foreach (var pair in keys)
        {
            TextParameters.Append(text, pair.Key, pair.Value);
        }

        pdu.Data = text.WrittenSpan.ToArray();
        Enqueue(pdu);
    }

    /// <summary>
    /// A failed authentication is counted by initiator and address and logged once with those
    /// counts; its Login Response (0x0201) waits the throttle's delay without holding up this
    /// connection's thread or anyone else's.
    /// </summary>
    private void RefuseAuthentication(Bhs request, string reason)
    {
        var initiator = _negotiator?.InitiatorName;
        var failure = _server.AuthThrottle.RecordFailure(initiator, RemoteAddress);
        _server.Metrics.ChapFailed(Local);
        TargetLog.AuthenticationFailed(_server.Loggers.Login, Number, initiator ?? "?", _negotiator?.TargetName ?? "(discovery)", Remote, failure.InitiatorFailures, failure.AddressFailures, (long)failure.Delay.TotalMilliseconds, reason);
        if (failure.Delay <= TimeSpan.Zero)
        {
            SendLoginFailure(request, LoginStatus.AuthenticationFailure, reason, logged: true);
            return;
        }

        _refusing = true;
        var header = new byte[Bhs.Length];
        request.Bytes.CopyTo(header);
        _ = RefuseLaterAsync(header, reason, failure.Delay);
    }

    private async Task RefuseLaterAsync(byte[] request, string reason, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _server.Time, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // the connection closed first: nobody is left to answer
        }

        SendLoginFailure(new Bhs(request), LoginStatus.AuthenticationFailure, reason, logged: true);
    }

    private IPAddress? RemoteAddress => (Remote as IPEndPoint)?.Address;

    private void SendLoginFailure(Bhs request, LoginStatus status, string reason, bool logged = false)
    {
        if (!logged)
        {
            TargetLog.LoginFailed(_server.Loggers.Login, Number, _negotiator?.InitiatorName ?? "?", _negotiator?.TargetName ?? "?", Remote, status, reason);
        }

        _server.Metrics.LoginFailed(Local);
        var pdu = ControlPdu.Create(Opcode.LoginResponse);
        pdu.CloseAfter = true;
        var bhs = pdu.Bhs;
        bhs.CurrentStage = request.CurrentStage;
        bhs.Isid = request.Isid;
        bhs.InitiatorTaskTag = request.InitiatorTaskTag;
        bhs.LoginStatus = status;
        _closeReason = "login refused: " + reason;
        if (_window is null)
        {
            // Refused before the login started (no common version): the response still carries a window.
            _window = new CommandWindow(request.CmdSN, 1);
            _writer.BeginNumbering(request.ExpStatSN, _window);
        }

        Enqueue(pdu);
        _closing.Cancel();
    }
}
