namespace Storlane.Iscsi.Tests.Login;

/// <summary>"key=value" strings to pairs and back.</summary>
internal static class Pairs
{
    public static List<KeyValuePair<string, string>> Of(params string[] items)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var item in items)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            list.Add(new(item[..equals], item[(equals + 1)..]));
        }

        return list;
    }

    public static string? Find(List<KeyValuePair<string, string>> pairs, string key)
    {
        foreach (var pair in pairs)
        {
            if (pair.Key == key)
            {
                return pair.Value;
            }
        }

        return null;
    }

    public static int Count(List<KeyValuePair<string, string>> pairs, string key)
    {
        var count = 0;
        foreach (var pair in pairs)
        {
            count += pair.Key == key ? 1 : 0;
        }

        return count;
    }
}
