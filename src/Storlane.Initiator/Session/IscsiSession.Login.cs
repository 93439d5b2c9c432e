using System.Buffers;
using Storlane.Iscsi;
using Storlane.Iscsi.Initiator;
using Storlane.Iscsi.Login;
using Storlane.Iscsi.Pdu;

namespace Storlane.Initiator.Session;

/// <summary>
/// The Login Phase (RFC 7143 6.3): SecurityNegotiation (AuthMethod, CHAP) then
/// LoginOperationalNegotiation, then FullFeaturePhase. Runs before the loops start, one request and
/// one response at a time, so it reads and writes the pipes directly.
/// </summary>
public sealed partial class IscsiSession
{
    /// <summary>Login PDUs may not exceed 8192 bytes of data until MaxRecvDataSegmentLength is agreed (13.12).</summary>
    private const int LoginSegmentLength = 8192;

    private const uint InitialCmdSN = 1;

    private enum ChapStep
    {
        SendAuthMethod,
        SendAlgorithm,
        SendResponse,
        Done,
    }

    private async Task LoginAsync(string? targetName, SessionType type, CancellationToken cancellationToken)
    {
        if (_options.MutualChap is not null && _options.Chap is null)
        {
            throw new InvalidOperationException("mutual CHAP needs the initiator's own CHAP credential too");
        }

        TargetName = targetName;
        SessionType = type;
        Isid = _options.Isid ?? InitiatorPdus.RandomIsid(0);
        var negotiation = new InitiatorNegotiation(_options.Offer, type);
        var chap = _options.Chap is { } credential ? new ChapInitiator(credential, _options.MutualChap) : null;
        _readOptions = new PduReadOptions { MaxDataSegmentLength = Math.Max(LoginSegmentLength, _options.Offer.MaxRecvDataSegmentLength) };

        var stage = LoginStage.SecurityNegotiation;
        var chapStep = chap is null ? ChapStep.Done : ChapStep.SendAuthMethod;
        var request = new List<KeyValuePair<string, string>>
        {
            new(TextKeys.InitiatorName, _options.InitiatorName),
            new(TextKeys.SessionType, type == SessionType.Discovery ? "Discovery" : "Normal"),
        };
        if (_options.InitiatorAlias is { } alias)
        {
            request.Add(new(TextKeys.InitiatorAlias, alias));
        }

        if (targetName is not null)
        {
            request.Add(new(TextKeys.TargetName, targetName));
        }

        request.Add(new(TextKeys.AuthMethod, chap is null ? "None" : "CHAP"));
        var transit = chap is null;
        var answers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            var next = stage == LoginStage.SecurityNegotiation ? LoginStage.LoginOperationalNegotiation : LoginStage.FullFeaturePhase;
            var (response, pairs) = await ExchangeLoginAsync(stage, next, transit, request, cancellationToken).ConfigureAwait(false);
            request.Clear();
            CaptureDeclarations(pairs);
            if (stage == LoginStage.SecurityNegotiation)
            {
                chapStep = Authenticate(chap, chapStep, pairs, request);
                if (response.Transit)
                {
                    if (chapStep != ChapStep.Done)
                    {
                        throw LoginFailed(LoginStatus.AuthenticationFailure, "the target left the security stage before CHAP finished");
                    }

                    if (response.NextStage == LoginStage.FullFeaturePhase)
                    {
                        // Skipping the operational stage leaves every key at its RFC 7143 default.
                        Finish(negotiation, response);
                        return;
                    }

                    stage = LoginStage.LoginOperationalNegotiation;
                    negotiation.AppendOffers(request);
                }

                transit = chapStep is ChapStep.SendResponse or ChapStep.Done || stage == LoginStage.LoginOperationalNegotiation;
                continue;
            }

            answers.Clear();
            var outcome = negotiation.Apply(pairs, answers);
            if (!outcome.IsSuccess)
            {
                throw LoginFailed(outcome.Status, outcome.Reason!);
            }

            if (response.Transit && response.NextStage == LoginStage.FullFeaturePhase)
            {
                Finish(negotiation, response);
                return;
            }

            // The target is not done (it offered keys or wants another round): answer and ask again.
            request.AddRange(answers);
            transit = true;
        }
    }

    private static ChapStep Authenticate(ChapInitiator? chap, ChapStep step, List<KeyValuePair<string, string>> pairs, List<KeyValuePair<string, string>> request)
    {
        if (chap is null)
        {
            var method = Find(pairs, TextKeys.AuthMethod);
            if (method is not null and not "None")
            {
                throw LoginFailed(LoginStatus.AuthenticationFailure, $"the target wants AuthMethod={method} and no CHAP credential is configured");
            }

            return ChapStep.Done;
        }

        switch (step)
        {
            case ChapStep.SendAuthMethod:
                var method = Find(pairs, TextKeys.AuthMethod);
                if (method != "CHAP")
                {
                    throw LoginFailed(LoginStatus.AuthenticationFailure, $"the target answered AuthMethod={method ?? "(nothing)"} to our CHAP offer");
                }

                request.Add(new(TextKeys.ChapAlgorithm, ChapInitiator.Md5Algorithm));
                return ChapStep.SendAlgorithm;
            case ChapStep.SendAlgorithm:
                var answered = chap.AnswerChallenge(pairs, request);
                if (!answered.IsSuccess)
                {
                    throw LoginFailed(answered.Status, answered.Reason!);
                }

                return ChapStep.SendResponse;
            case ChapStep.SendResponse:
                var verified = chap.VerifyTarget(pairs);
                if (!verified.IsSuccess)
                {
                    throw LoginFailed(verified.Status, verified.Reason!);
                }

                return ChapStep.Done;
            default:
                return ChapStep.Done;
        }
    }

    private void Finish(InitiatorNegotiation negotiation, LoginResponse response)
    {
        var outcome = negotiation.Complete();
        if (!outcome.IsSuccess)
        {
            throw LoginFailed(outcome.Status, outcome.Reason!);
        }

        if (response.Tsih == 0)
        {
            throw LoginFailed(LoginStatus.InitiatorError, "the final Login Response carries TSIH 0");
        }

        Tsih = response.Tsih;
        Parameters = negotiation.Parameters;

        // Digests start with the first PDU after the Login Phase (13.1); the receive limit is what we declared.
        _headerDigest = Parameters.HeaderDigest;
        _dataDigest = Parameters.DataDigest;
        _readOptions = new PduReadOptions
        {
            MaxDataSegmentLength = Parameters.InitiatorMaxRecvDataSegmentLength,
            HeaderDigest = _headerDigest,
            DataDigest = _dataDigest,
        };

        // "the first non-immediate command ... CmdSN = ExpCmdSN" of the final response; the window
        // is what the target granted there.
        _window.Reset(response.ExpCmdSN, response.ExpCmdSN, response.MaxCmdSN);
        InitiatorLog.LoggedIn(_logger, TargetName ?? "discovery", Portal, Tsih, _headerDigest, _dataDigest);
    }

    private void CaptureDeclarations(List<KeyValuePair<string, string>> pairs)
    {
        if (Find(pairs, TextKeys.TargetPortalGroupTag) is { } tag && ushort.TryParse(tag, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            TargetPortalGroupTag = parsed;
        }
    }

    /// <summary>
    /// Sends one login request (split over several PDUs with the C bit if long) and reads the
    /// response, asking for continuations while the target sets C (RFC 7143 6.3: "the initiator
    /// ... MUST respond with a Login Request with no data and the C bit cleared").
    /// </summary>
    private async Task<(LoginResponse Response, List<KeyValuePair<string, string>> Pairs)> ExchangeLoginAsync(
        LoginStage stage, LoginStage next, bool transit, List<KeyValuePair<string, string>> request, CancellationToken cancellationToken)
    {
        var text = new ArrayBufferWriter<byte>();
        TextParameters.AppendAll(text, request);
        var remaining = text.WrittenMemory;
        do
        {
            var chunk = remaining[..Math.Min(remaining.Length, LoginSegmentLength)];
            remaining = remaining[chunk.Length..];
            await SendLoginPduAsync(stage, next, transit, continues: !remaining.IsEmpty, chunk, cancellationToken).ConfigureAwait(false);
            if (!remaining.IsEmpty)
            {
                // The target answers each partial request with an empty response (C=0, no data).
                await ReceiveLoginAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        while (!remaining.IsEmpty);

        var reply = new ArrayBufferWriter<byte>();
        while (true)
        {
            var (response, data) = await ReceiveLoginAsync(cancellationToken).ConfigureAwait(false);
            reply.Write(data);
            if (!response.Continue)
            {
                var pairs = new List<KeyValuePair<string, string>>();
                if (!TextParameters.TryParse(new ReadOnlySequence<byte>(reply.WrittenMemory), pairs, out var error))
                {
                    throw LoginFailed(LoginStatus.InitiatorError, "malformed login text from the target: " + error);
                }

                return (response, pairs);
            }

            await SendLoginPduAsync(stage, next, transit: false, continues: false, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendLoginPduAsync(LoginStage stage, LoginStage next, bool transit, bool continues, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var span = PduWriter.Begin(_output, data.Length, false, false);
        InitiatorPdus.LoginRequest(span, stage, next, transit, continues, Isid, tsih: 0, initiatorTaskTag: 0, connectionId: 0, InitialCmdSN, _expStatSN);
        PduWriter.Finish(_output, span, data.Span, false, false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(LoginResponse Response, byte[] Data)> ReceiveLoginAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                if (PduReader.TryReadPdu(buffer, _readOptions, _receiveHeader, out var frame))
                {
                    consumed = frame.End;
                    return (ReadLoginResponse(frame), frame.Data.ToArray());
                }

                if (result.IsCompleted)
                {
                    throw new IscsiTransportException($"{Portal} closed the connection during login");
                }
            }
            finally
            {
                _input.AdvanceTo(consumed, buffer.End);
            }
        }
    }

    private LoginResponse ReadLoginResponse(in PduFrame frame)
    {
        var bhs = new Bhs(_receiveHeader);
        if (bhs.Opcode == Opcode.Reject)
        {
            throw LoginFailed(LoginStatus.InitiatorError, "the target rejected the login request");
        }

        if (bhs.Opcode != Opcode.LoginResponse)
        {
            throw LoginFailed(LoginStatus.InitiatorError, $"expected a Login Response, got {bhs.Opcode}");
        }

        _expStatSN = bhs.StatSN + 1;
        var status = bhs.LoginStatus;
        if (status != LoginStatus.Success)
        {
            string? redirect = null;
            if (((ushort)status >> 8) == 1)
            {
                // Redirection (11.13.5): the new address is in TargetAddress.
                var pairs = new List<KeyValuePair<string, string>>();
                if (TextParameters.TryParse(frame.Data, pairs, out _))
                {
                    redirect = Find(pairs, TextKeys.TargetAddress);
                }
            }

            throw new IscsiLoginException(status, $"{Portal} refused the login: {status}", redirect);
        }

        return new LoginResponse(bhs.Transit, bhs.Continue, bhs.CurrentStage, bhs.NextStage, bhs.Tsih, bhs.ExpCmdSN, bhs.MaxCmdSN);
    }

    private static IscsiLoginException LoginFailed(LoginStatus status, string reason) => new(status, reason);

    private static string? Find(List<KeyValuePair<string, string>> pairs, string key)
    {
        foreach (var (k, v) in pairs)
        {
            if (k == key)
            {
                return v;
            }
        }

        return null;
    }

    private readonly record struct LoginResponse(bool Transit, bool Continue, LoginStage CurrentStage, LoginStage NextStage, ushort Tsih, uint ExpCmdSN, uint MaxCmdSN);
}
