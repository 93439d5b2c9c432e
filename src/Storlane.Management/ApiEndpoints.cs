using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Storlane.Target;
using Storlane.Target.Observability;

namespace Storlane.Management;

/// <summary>What GET /api/v1/targets returns: the portals (and what listens now) and the targets with their LUNs.</summary>
public sealed record TargetsResponse(IReadOnlyList<PortalView> Portals, IReadOnlyList<TargetView> Targets);

/// <summary>The routes of API version 1. Reads need monitor, changes admin; every change is audited.</summary>
internal static class ApiEndpoints
{
    public const string Targets = "/api/v1/targets";
    public const string Sessions = "/api/v1/sessions";

    public static void Map(IEndpointRouteBuilder routes, IscsiTargetServer server, ILogger logger)
    {
        var monitor = new RequiresRole(ApiRole.Monitor);
        var admin = new RequiresRole(ApiRole.Admin);

        routes.MapGet(Targets, () => new TargetsResponse(server.PortalViews(), server.TargetViews()))
            .WithMetadata(monitor);

        routes.MapGet(Sessions, () => server.SessionViews())
            .WithMetadata(monitor);

        routes.MapPost(Sessions + "/{tsih}/logout", (string tsih, HttpContext context) => Logout(server, tsih, RoleGate.Caller(context), logger))
            .WithMetadata(admin);
    }

    private static IResult Logout(IscsiTargetServer server, string tsih, ApiCaller caller, ILogger logger)
    {
        var action = $"log out session {tsih}";
        if (!ushort.TryParse(tsih, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number == 0)
        {
            ManagementLog.Audit(logger, caller.Name, caller.Role, action, "refused: not a TSIH (1..65535)");
            return Results.BadRequest(new ApiError($"'{tsih}' is not a TSIH (a number 1..65535)"));
        }

        if (server.EndSession(number, "logged out by " + caller.Name + " through the management API") is not { } ended)
        {
            ManagementLog.Audit(logger, caller.Name, caller.Role, action, "refused: no such session");
            return Results.NotFound(new ApiError($"no session has TSIH {number}"));
        }

        ManagementLog.Audit(logger, caller.Name, caller.Role, action, $"done ({ended.InitiatorName} -> {ended.TargetName ?? "discovery"})");
        return Results.Ok(ended);
    }
}
