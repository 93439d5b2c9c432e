using System.Globalization;
using System.Text;
using Storlane.Initiator;
using Storlane.Initiator.Multipath;

namespace Storlane.Bench.Targets;

/// <summary>One path of a multipath target spec: its URL, and the <c>~standby</c> and <c>~weight=N</c> suffixes.</summary>
public sealed record MultipathPathSpec(IscsiUrl Url, bool IsStandby, int Weight);

/// <summary>
/// A multipath target: <c>multipath:POLICY:URL|URL[|URL...]</c>. POLICY is a <see cref="PathPolicy"/>
/// in kebab-case or short (<see cref="PathPolicyNames"/>); each URL may end with <c>~standby</c>
/// (round-robin-with-subset: the standby set; failover-only: used only after the others) and/or
/// <c>~weight=N</c> (weighted-paths: lower is preferred). '~' and '|' in a CHAP secret are written
/// %7E and %7C, as the URL's other reserved characters are.
/// </summary>
public sealed record MultipathTargetSpec(PathPolicy Policy, IReadOnlyList<MultipathPathSpec> Paths)
{
    public const string Prefix = "multipath:";
    public const string Syntax = "multipath:POLICY:URL|URL[|URL...] (each URL may end with ~standby and/or ~weight=N)";
    private const string StandbySuffix = "standby";
    private const string WeightSuffix = "weight=";

    /// <summary>Parses <paramref name="spec"/>; every mistake is a <see cref="FormatException"/> that names it.</summary>
    public static MultipathTargetSpec Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!spec.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"'{spec}' is not a multipath target: {Syntax}");
        }

        var rest = spec[Prefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            throw new FormatException($"multipath target '{spec}' names no policy and no URL: {Syntax}");
        }

        var policyText = rest[..colon];
        if (!PathPolicyNames.TryParse(policyText, out var policy))
        {
            throw new FormatException($"multipath target: unknown policy '{policyText}' (one of {PathPolicyNames.Expected})");
        }

        var paths = new List<MultipathPathSpec>();
        foreach (var element in rest[(colon + 1)..].Split('|'))
        {
            if (element.Trim().Length == 0)
            {
                continue;
            }

            paths.Add(ParsePath(element.Trim(), policy));
        }

        Check(paths, policy);
        return new MultipathTargetSpec(policy, paths);
    }

    /// <summary>The URLs in the order the disk opens them: for failover-only the standby paths go last, since it prefers the lowest index.</summary>
    public IReadOnlyList<MultipathPathSpec> OpenOrder()
    {
        if (Policy != PathPolicy.FailoverOnly)
        {
            return Paths;
        }

        return [.. Paths.Where(p => !p.IsStandby), .. Paths.Where(p => p.IsStandby)];
    }

    /// <summary>The spec as written back into results: canonical policy name, URLs without secrets.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Prefix).Append(PathPolicyNames.Name(Policy)).Append(':');
        for (var i = 0; i < Paths.Count; i++)
        {
            var path = Paths[i];
            text.Append(i == 0 ? "" : "|").Append(path.Url.ToString());
            if (path.Weight != 0)
            {
                text.Append('~').Append(WeightSuffix).Append(path.Weight.ToString(CultureInfo.InvariantCulture));
            }

            if (path.IsStandby)
            {
                text.Append('~').Append(StandbySuffix);
            }
        }

        return text.ToString();
    }

    private static MultipathPathSpec ParsePath(string element, PathPolicy policy)
    {
        var parts = element.Split('~');
        var standby = false;
        var weight = 0;
        foreach (var suffix in parts.AsSpan(1))
        {
            if (suffix.Equals(StandbySuffix, StringComparison.OrdinalIgnoreCase))
            {
                if (policy is not (PathPolicy.RoundRobinWithSubset or PathPolicy.FailoverOnly))
                {
                    throw new FormatException($"multipath target: ~standby on '{parts[0]}' applies to round-robin-with-subset and failover-only, not {PathPolicyNames.Name(policy)}");
                }

                standby = true;
            }
            else if (suffix.StartsWith(WeightSuffix, StringComparison.OrdinalIgnoreCase))
            {
                var number = suffix[WeightSuffix.Length..];
                if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out weight))
                {
                    throw new FormatException($"multipath target: weight '{number}' on '{parts[0]}' is not a whole number from 0 to {int.MaxValue}");
                }

                if (policy != PathPolicy.WeightedPaths)
                {
                    throw new FormatException($"multipath target: ~weight on '{parts[0]}' applies to weighted-paths, not {PathPolicyNames.Name(policy)}");
                }
            }
            else
            {
                throw new FormatException($"multipath target: unknown path option '~{suffix}' on '{parts[0]}' (~standby or ~weight=N)");
            }
        }

        if (!IscsiUrl.TryParse(parts[0], out var url, out var error))
        {
            throw new FormatException($"multipath target: bad iSCSI URL '{parts[0]}': {error}");
        }

        if (url.TargetName is null || url.Lun is null)
        {
            throw new FormatException($"multipath target: URL '{url}' needs a target name and a LUN: iscsi://host[:port]/target-iqn/lun");
        }

        return new MultipathPathSpec(url, standby, weight);
    }

    private static void Check(List<MultipathPathSpec> paths, PathPolicy policy)
    {
        if (paths.Count == 0)
        {
            throw new FormatException($"multipath target names no URL: {Syntax}");
        }

        if (paths.Count > IPathSelector.MaxPaths)
        {
            throw new FormatException($"multipath target has {paths.Count} URLs; at most {IPathSelector.MaxPaths}");
        }

        if (policy == PathPolicy.RoundRobinWithSubset && paths.TrueForAll(p => p.IsStandby))
        {
            throw new FormatException("multipath target: every path is ~standby; round-robin-with-subset needs at least one active path");
        }

        for (var i = 0; i < paths.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (paths[i].Url.ToUriString() == paths[j].Url.ToUriString())
                {
                    throw new FormatException($"multipath target names '{paths[i].Url}' twice");
                }
            }
        }
    }
}
