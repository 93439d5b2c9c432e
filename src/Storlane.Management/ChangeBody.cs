using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Storlane.Management;

/// <summary>Reads a change's JSON body and path values, with one clear sentence for whatever is wrong.</summary>
internal static class ChangeBody
{
    /// <summary>A body this small holds any change; more is refused before it is parsed.</summary>
    private const int MaxBodyBytes = 64 << 10;

    public static async Task<JsonElement> ReadObjectAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw new ChangeBodyException($"the body is larger than {MaxBodyBytes} bytes");
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ChangeBodyException("the body must be a JSON object");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ChangeBodyException("the body is not JSON: " + e.Message);
        }
    }

    /// <summary>Each property as the text a YAML scalar would hold (strings, numbers and booleans only).</summary>
    public static Dictionary<string, string> Settings(JsonElement body)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            settings[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => throw new ChangeBodyException($"'{property.Name}' must be a string, a number or true/false"),
            };
        }

        return settings;
    }

    public static string Text(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            throw new ChangeBodyException($"the body needs '{name}'");
        }

        return value.ValueKind switch
        {
            JsonValueKind.String when value.GetString()!.Length > 0 => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw new ChangeBodyException($"'{name}' must be a non-empty string"),
        };
    }

    public static bool Flag(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : throw new ChangeBodyException($"the body needs '{name}': true or false");

    public static int Port(JsonElement body) =>
        body.TryGetProperty("port", out var value) ? PortNumber(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : value.GetString() ?? string.Empty) : 3260;

    public static ushort? Group(JsonElement body) =>
        !body.TryGetProperty("group", out var value) ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetUInt16(out var group) && group > 0 ? group
        : throw new ChangeBodyException("'group' must be a number 1..65535");

    public static int PortNumber(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new ChangeBodyException($"'{text}' is not a TCP port (0..65535)");

    public static ulong LunNumber(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var lun)
            ? lun
            : throw new ChangeBodyException($"'{text}' is not a LUN number");
}

/// <summary>The request could not be read as a change; the message says why.</summary>
internal sealed class ChangeBodyException(string message) : Exception(message);
