using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Storlane.Management;

/// <summary>Endpoint metadata: the least role that may call it.</summary>
internal sealed record RequiresRole(ApiRole Role);

/// <summary>Endpoint metadata: a static page with no data (the dashboard's shell), served to anyone; what it shows it fetches with a token.</summary>
internal sealed record PublicPage;

/// <summary>
/// The one place access is decided, before any endpoint runs: no caller 401, a role below the
/// endpoint's 403 (logged when a change was refused). An endpoint without <see cref="RequiresRole"/>
/// needs admin, so a route added without thought is closed rather than open.
/// </summary>
internal sealed class RoleGate
{
    private const string CallerKey = "storlane.caller";
    private readonly CallerResolver _resolver;
    private readonly ILogger _logger;

    public RoleGate(CallerResolver resolver, ILogger logger)
    {
        _resolver = resolver;
        _logger = logger;
    }

    public static ApiCaller Caller(HttpContext context) => (ApiCaller)context.Items[CallerKey]!;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<PublicPage>() is not null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var caller = _resolver.Resolve(context);
        if (caller is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(new ApiError("a bearer token or a local root/owner connection is required")).ConfigureAwait(false);
            return;
        }

        var endpoint = context.GetEndpoint();
        var required = endpoint is null ? ApiRole.Monitor : endpoint.Metadata.GetMetadata<RequiresRole>()?.Role ?? ApiRole.Admin;
        if (caller.Role < required)
        {
            ManagementLog.Refused(_logger, caller.Name, context.Request.Method + " " + context.Request.Path, $"needs the {Name(required)} role, has {Name(caller.Role)}");
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsJsonAsync(new ApiError($"this needs the {Name(required)} role; the caller has {Name(caller.Role)}")).ConfigureAwait(false);
            return;
        }

        context.Items[CallerKey] = caller;
        await next(context).ConfigureAwait(false);
    }

    public static string Name(ApiRole role) => role == ApiRole.Admin ? "admin" : "monitor";
}

/// <summary>Every error body: one sentence for a human.</summary>
public sealed record ApiError(string Error);
