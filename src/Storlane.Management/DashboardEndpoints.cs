using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Storlane.Target;
using Storlane.Target.Observability;

namespace Storlane.Management;

/// <summary>What GET /api/v1/stats returns: everything the dashboard draws, with the server's clock for rates.</summary>
public sealed record StatsResponse(long TimeMs, IReadOnlyList<PortalView> Portals, IReadOnlyList<TargetView> Targets, IReadOnlyList<SessionView> Sessions);

/// <summary>
/// The dashboard: one self-contained page (HTML, CSS and JS embedded in this assembly, nothing
/// from the network) at <see cref="Page"/>, and the JSON it polls at <see cref="Stats"/>. The page
/// holds no data, so it is served without a token; it asks for a monitor token (from the URL
/// fragment, which browsers never send, or a prompt) and sends it as a bearer header on each poll.
/// </summary>
internal static class DashboardEndpoints
{
    public const string Page = "/dashboard";
    public const string Stats = "/api/v1/stats";
    private const string ResourceName = "Storlane.Management.Dashboard.dashboard.html";

    // No script, style or connection beyond the page itself and this API; never framed.
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static readonly Lazy<byte[]> Html = new(ReadPage);

    public static void Map(IEndpointRouteBuilder routes, IscsiTargetServer server)
    {
        routes.MapGet(Page, (HttpContext context) =>
            {
                context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                context.Response.Headers.XContentTypeOptions = "nosniff";
                context.Response.Headers["Referrer-Policy"] = "no-referrer";
                context.Response.Headers.CacheControl = "no-store";
                return Results.Bytes(Html.Value, "text/html; charset=utf-8");
            })
            .WithMetadata(new PublicPage())
            .ExcludeFromDescription();

        routes.MapGet(Stats, () => new StatsResponse(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), server.PortalViews(), server.TargetViews(), server.SessionViews()))
            .WithMetadata(new RequiresRole(ApiRole.Monitor));
    }

    private static byte[] ReadPage()
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
