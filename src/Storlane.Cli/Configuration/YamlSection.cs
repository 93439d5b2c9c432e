using System.Globalization;
using Storlane.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Storlane.Cli.Configuration;

/// <summary>
/// One YAML mapping of the config with its known keys. Reading a value either returns it or
/// records an error at the value's own line and column and returns null, so mapping code reads
/// straight through and every problem in the file is reported at once.
/// </summary>
internal sealed class YamlSection
{
    private readonly Dictionary<string, (YamlScalarNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    /// <summary>Keys offered as "did you mean": their absence is the same mistake, reported once.</summary>
    private readonly HashSet<string> _suggested = new(StringComparer.Ordinal);

    public YamlSection(YamlMappingNode node, ConfigErrorList errors, params string[] knownKeys)
    {
        Node = node;
        Errors = errors;
        foreach (var (keyNode, value) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalarKey)
            {
                errors.Add(keyNode, "a key must be a plain word");
                continue;
            }

            if (!knownKeys.Contains(key, StringComparer.Ordinal))
            {
                var nearest = KeySuggestion.Nearest(key, knownKeys);
                if (nearest is not null)
                {
                    _suggested.Add(nearest);
                }

                errors.Add(keyNode, nearest is null
                    ? $"unknown key '{key}' (known keys: {string.Join(", ", knownKeys)})"
                    : $"unknown key '{key}' (did you mean '{nearest}'?)");
                continue;
            }

            _entries[key] = (scalarKey, value);
        }
    }

    public YamlMappingNode Node { get; }

    public ConfigErrorList Errors { get; }

    public bool Has(string key) => _entries.ContainsKey(key);

    public YamlNode? Value(string key) => _entries.TryGetValue(key, out var entry) && !IsNull(entry.Value) ? entry.Value : null;

    public void Missing(string key, string why = "")
    {
        if (!_suggested.Contains(key))
        {
            Errors.Add(Node, $"missing key '{key}'{why}");
        }
    }

    public string? String(string key, bool required = false)
    {
        var node = Value(key);
        if (node is null)
        {
            if (required)
            {
                Missing(key);
            }

            return null;
        }

        return Scalar(node, key, "text");
    }

    /// <summary>An integer within [min, max]; quoted numbers are accepted, fractions and words are not.</summary>
    public long? Integer(string key, long min, long max)
    {
        var node = Value(key);
        if (node is null || Scalar(node, key, "a whole number") is not { } text)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Errors.Add(node, $"'{key}' must be a whole number in {min}..{max}, got '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Errors.Add(node, $"'{key}' must be in {min}..{max}, got {value}");
            return null;
        }

        return value;
    }

    public bool? Boolean(string key)
    {
        var node = Value(key);
        if (node is null || Scalar(node, key, "true or false") is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Errors.Add(node, $"'{key}' must be true or false, got '{text}'");
        return null;
    }

    public long? Size(string key)
    {
        var node = Value(key);
        if (node is null || Scalar(node, key, "a size") is not { } text)
        {
            return null;
        }

        if (!ByteSize.TryParse(text, out var bytes, out var error))
        {
            Errors.Add(node, error);
            return null;
        }

        // Sizes here are LUN sizes: zero is refused here, a size that is not a multiple of the block size later.
        if (bytes > 0)
        {
            return bytes;
        }

        Errors.Add(node, $"bad size '{text}': a LUN needs at least one block");
        return null;
    }

    /// <summary>A rate in bytes per second: a size as <see cref="Size"/> takes it, optionally ending in "/s"; above zero.</summary>
    public long? Rate(string key)
    {
        var node = Value(key);
        if (node is null || Scalar(node, key, "a rate") is not { } text)
        {
            return null;
        }

        var perSecond = text.Trim();
        if (perSecond.EndsWith("/s", StringComparison.Ordinal))
        {
            perSecond = perSecond[..^2];
        }

        // A zero amount ("0", "0MiB") gets its own message, naming the key.
        var significant = perSecond.TrimStart('0');
        if (significant.Length < perSecond.Length && (significant.Length == 0 || !char.IsAsciiDigit(significant[0])))
        {
            Errors.Add(node, $"'{key}' must be above zero, got '{text}'");
            return null;
        }

        if (!ByteSize.TryParse(perSecond, out var bytes, out _))
        {
            Errors.Add(node, $"'{key}' must be bytes per second (a size such as 200M or 200MiB, optionally followed by /s), got '{text}'");
            return null;
        }

        return bytes;
    }

    public YamlSection? Mapping(string key, params string[] knownKeys)
    {
        var node = Value(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlMappingNode mapping)
        {
            return new YamlSection(mapping, Errors, knownKeys);
        }

        Errors.Add(node, $"'{key}' must be a mapping of {string.Join(", ", knownKeys)}, not {Describe(node)}");
        return null;
    }

    /// <summary>The items of a list; an empty or missing list is returned as empty.</summary>
    public IReadOnlyList<YamlNode> Sequence(string key)
    {
        var node = Value(key);
        switch (node)
        {
            case null:
                return [];
            case YamlSequenceNode sequence:
                return [.. sequence.Children];
            default:
                Errors.Add(node, $"'{key}' must be a list (items starting with '- '), not {Describe(node)}");
                return [];
        }
    }

    /// <summary>The text of a scalar item (a list entry, say), or an error naming what was expected.</summary>
    public string? Scalar(YamlNode node, string what, string expected)
    {
        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        Errors.Add(node, $"'{what}' must be {expected}, not {Describe(node)}");
        return null;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "this",
    };

    /// <summary>A plain <c>~</c>, <c>null</c> or empty value counts as absent, as in YAML itself.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}
