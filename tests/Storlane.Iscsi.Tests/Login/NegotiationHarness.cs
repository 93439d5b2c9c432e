using Storlane.Iscsi.Login;

namespace Storlane.Iscsi.Tests.Login;

/// <summary>Drives a <see cref="LoginNegotiator"/> with "key=value" strings and keeps the last response.</summary>
internal sealed class NegotiationHarness
{
    public const string InitiatorName = "iqn.1994-05.com.example:host1";
    public const string TargetName = "iqn.2025-01.dev.storlane:disk1";

    public NegotiationHarness(TargetNegotiationLimits? limits = null, bool leading = true)
    {
        Negotiator = new LoginNegotiator(limits ?? new TargetNegotiationLimits(), leading);
    }

    public LoginNegotiator Negotiator { get; }

    public List<KeyValuePair<string, string>> Response { get; private set; } = [];

    public OperationalParameters Parameters => Negotiator.Parameters;

    /// <summary>A negotiator past the first (security stage) request of a normal session.</summary>
    public static NegotiationHarness Normal(TargetNegotiationLimits? limits = null, bool leading = true)
    {
        var harness = new NegotiationHarness(limits, leading);
        var outcome = harness.Send(LoginPhase.Security, "InitiatorName=" + InitiatorName, "TargetName=" + TargetName, "SessionType=Normal");
        Assert.True(outcome.IsSuccess, outcome.ToString());
        return harness;
    }

    /// <summary>A negotiator past the first request of a discovery session.</summary>
    public static NegotiationHarness Discovery(TargetNegotiationLimits? limits = null)
    {
        var harness = new NegotiationHarness(limits);
        var outcome = harness.Send(LoginPhase.Security, "InitiatorName=" + InitiatorName, "SessionType=Discovery");
        Assert.True(outcome.IsSuccess, outcome.ToString());
        return harness;
    }

    public NegotiationOutcome Send(LoginPhase phase, params string[] pairs)
    {
        Response = [];
        return Negotiator.Process(phase, Pairs.Of(pairs), Response);
    }

    public NegotiationOutcome Operational(params string[] pairs) => Send(LoginPhase.Operational, pairs);

    /// <summary>Sends one operational key, asserts success, returns the target's answer (null when none).</summary>
    public string? Answer(string pair)
    {
        var outcome = Operational(pair);
        Assert.True(outcome.IsSuccess, outcome.ToString());
        return Pairs.Find(Response, pair[..pair.IndexOf('=', StringComparison.Ordinal)]);
    }

    public List<KeyValuePair<string, string>> Declarations()
    {
        Response = [];
        Negotiator.AppendTargetDeclarations(Response);
        return Response;
    }
}
