namespace Storlane.Cli.Configuration;

/// <summary>Finds the known key a typo was probably meant to be (<c>lunz</c> → <c>luns</c>).</summary>
internal static class KeySuggestion
{
    public static string? Nearest(string unknown, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = EditDistance(unknown.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Beyond a third of the word the "suggestion" is noise rather than help.
        return bestDistance <= Math.Max(2, unknown.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance with one rolling row.</summary>
    internal static int EditDistance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            row[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                var substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
                row[j] = Math.Min(Math.Min(row[j - 1] + 1, above + 1), substitution);
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
