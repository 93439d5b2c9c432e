using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Storlane.Target;

namespace Storlane.Management;

/// <summary>What a change endpoint answers when the change was made.</summary>
public sealed record ChangeResponse(string Result);

/// <summary>
/// The change routes of API version 1, admin only. Configuration changes go through
/// <see cref="IConfigChanges"/> (validated like the file, applied live, saved); a LUN reset acts on the
/// running target only. Every call is audited: who, what, and how it ended.
/// </summary>
internal static class ChangeEndpoints
{
    private const string Target = "/api/v1/targets/{target}";
    private const string Lun = Target + "/luns/{lun}";

    public static void Map(IEndpointRouteBuilder routes, IscsiTargetServer server, IConfigChanges? changes, ILogger logger)
    {
        var admin = new RequiresRole(ApiRole.Admin);
        var api = new ChangeRunner(changes, logger);

        routes.MapPost(Target + "/luns", (string target, HttpContext context) => api.RunAsync(context, async () =>
            {
                var body = await ChangeBody.ReadObjectAsync(context).ConfigureAwait(false);
                return new AddLunChange(target, ChangeBody.Settings(body));
            }))
            .WithMetadata(admin).WithName("AddLun")
            .WithSummary("Add a LUN to a target while it serves. Body: the config file's LUN keys, e.g. {\"lun\": 2, \"size\": \"1G\", \"path\": \"lun2.img\"}; 'lun' defaults to the lowest free number. Initiators get REPORTED LUNS DATA HAS CHANGED.");

        routes.MapDelete(Lun, (string target, string lun, HttpContext context) => api.RunAsync(context, () =>
                Task.FromResult<ConfigChange>(new RemoveLunChange(target, ChangeBody.LunNumber(lun)))))
            .WithMetadata(admin).WithName("RemoveLun")
            .WithSummary("Stop serving a LUN (its image file stays). Refused while an initiator holds a persistent reservation on it. Sessions are kept; initiators get REPORTED LUNS DATA HAS CHANGED.");

        routes.MapPost(Lun + "/grow", (string target, string lun, HttpContext context) => api.RunAsync(context, async () =>
            {
                var body = await ChangeBody.ReadObjectAsync(context).ConfigureAwait(false);
                return new GrowLunChange(target, ChangeBody.LunNumber(lun), ChangeBody.Text(body, "size"));
            }))
            .WithMetadata(admin).WithName("GrowLun")
            .WithSummary("Grow a file or VHDX LUN. Body: {\"size\": \"2G\"}. Initiators get CAPACITY DATA HAS CHANGED.");

        routes.MapPut(Lun + "/read-only", (string target, string lun, HttpContext context) => api.RunAsync(context, async () =>
            {
                var body = await ChangeBody.ReadObjectAsync(context).ConfigureAwait(false);
                return new LunReadOnlyChange(target, ChangeBody.LunNumber(lun), ChangeBody.Flag(body, "readOnly"));
            }))
            .WithMetadata(admin).WithName("SetLunReadOnly")
            .WithSummary("Make a LUN read-only or writable. Body: {\"readOnly\": true}. Writes then end DATA PROTECT and MODE SENSE reports WP; initiators get MODE PARAMETERS CHANGED.");

        routes.MapPut(Lun + "/offline", (string target, string lun, HttpContext context) => api.RunAsync(context, async () =>
            {
                var body = await ChangeBody.ReadObjectAsync(context).ConfigureAwait(false);
                return new LunOfflineChange(target, ChangeBody.LunNumber(lun), ChangeBody.Flag(body, "offline"));
            }))
            .WithMetadata(admin).WithName("SetLunOffline")
            .WithSummary("Take a LUN offline or bring it online. Body: {\"offline\": true}. Offline, every port group reports ALUA unavailable for it; initiators get ASYMMETRIC ACCESS STATE CHANGED.");

        routes.MapPost(Lun + "/reset", (string target, string lun, HttpContext context) => ResetAsync(server, target, lun, RoleGate.Caller(context), logger, context.RequestAborted))
            .WithMetadata(admin).WithName("ResetLun")
            .WithSummary("Reset a LUN as a LOGICAL UNIT RESET would: its tasks of every session are aborted, SPC-2 reservations released, and every initiator gets BUS DEVICE RESET FUNCTION OCCURRED. Changes no configuration.");

        routes.MapPost(Target + "/acl", (string target, HttpContext context) => api.RunAsync(context, async () =>
            {
                var body = await ChangeBody.ReadObjectAsync(context).ConfigureAwait(false);
                return new AclChange(target, ChangeBody.Text(body, "initiator"), Add: true);
            }))
            .WithMetadata(admin).WithName("AddAclInitiator")
            .WithSummary("Allow an initiator to log in to a target. Body: {\"initiator\": \"iqn...\"}. On a target open to everyone, the first entry ends the sessions of every other initiator.");

        routes.MapDelete(Target + "/acl/{initiator}", (string target, string initiator, HttpContext context) => api.RunAsync(context, () =>
                Task.FromResult<ConfigChange>(new AclChange(target, initiator, Add: false))))
            .WithMetadata(admin).WithName("RemoveAclInitiator")
            .WithSummary("Remove an initiator from a target's ACL: its sessions end, the others are kept. Removing the last entry is refused (it would open the target to every initiator).");

        foreach (var key in new[] { "chap", "mutual-chap" })
        {
            var name = key == "chap" ? "Chap" : "MutualChap";
            routes.MapPut(Target + "/" + key, (string target, HttpContext context) => api.RunAsync(context, async () =>
                {
                    var body = await ChangeBody.ReadObjectAsync(context).ConfigureAwait(false);
                    return new ChapChange(target, key, ChangeBody.Text(body, "user"), ChangeBody.Text(body, "secret"));
                }))
                .WithMetadata(admin).WithName("Set" + name)
                .WithSummary($"Set a target's {key} credentials. Body: {{\"user\": \"...\", \"secret\": \"...\"}}. Logins from now on use them; sessions already in are kept.");

            routes.MapDelete(Target + "/" + key, (string target, HttpContext context) => api.RunAsync(context, () =>
                    Task.FromResult<ConfigChange>(new ChapChange(target, key, null, null))))
                .WithMetadata(admin).WithName("Remove" + name)
                .WithSummary($"Remove a target's {key} credentials (new logins only).");
        }

        // Cast: a lambda taking only HttpContext would otherwise be bound as a RequestDelegate, its IResult dropped.
        routes.MapPost("/api/v1/portals", (Func<HttpContext, Task<IResult>>)(context => api.RunAsync(context, async () =>
            {
                var body = await ChangeBody.ReadObjectAsync(context).ConfigureAwait(false);
                return new PortalChange(ChangeBody.Text(body, "address"), ChangeBody.Port(body), ChangeBody.Group(body), Add: true);
            })))
            .WithMetadata(admin).WithName("AddPortal")
            .WithSummary("Listen on one more portal. Body: {\"address\": \"10.0.0.5\", \"port\": 3260, \"group\": 1}; the group must be one the target started with.");

        routes.MapDelete("/api/v1/portals/{address}/{port}", (string address, string port, HttpContext context) => api.RunAsync(context, () =>
                Task.FromResult<ConfigChange>(new PortalChange(address, ChangeBody.PortNumber(port), null, Add: false))))
            .WithMetadata(admin).WithName("RemovePortal")
            .WithSummary("Stop listening on a portal; sessions already established through it are kept.");
    }

    private static async Task<IResult> ResetAsync(IscsiTargetServer server, string target, string lun, ApiCaller caller, ILogger logger, CancellationToken cancellationToken)
    {
        var action = $"reset LUN {lun} of {target}";
        if (!ulong.TryParse(lun, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            ManagementLog.Audit(logger, caller.Name, caller.Role, action, "refused: not a LUN number");
            return Results.BadRequest(new ApiError($"'{lun}' is not a LUN number"));
        }

        try
        {
            await server.ResetLunAsync(target, number, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            ManagementLog.Audit(logger, caller.Name, caller.Role, action, "refused: " + e.Message);
            return Results.NotFound(new ApiError(e.Message));
        }
        catch (TimeoutException)
        {
            const string Stuck = "the LUN's aborted commands did not end within 30 s; the unit attention was not established";
            ManagementLog.Audit(logger, caller.Name, caller.Role, action, "failed: " + Stuck);
            return Results.Json(new ApiError(Stuck), statusCode: StatusCodes.Status500InternalServerError);
        }

        ManagementLog.Audit(logger, caller.Name, caller.Role, action, "done");
        return Results.Ok(new ChangeResponse($"LUN {number} of {target} reset"));
    }

    /// <summary>Reads the request, sends the change down the one path, audits it and maps its end to HTTP.</summary>
    private sealed class ChangeRunner(IConfigChanges? changes, ILogger logger)
    {
        public async Task<IResult> RunAsync(HttpContext context, Func<Task<ConfigChange>> read)
        {
            var caller = RoleGate.Caller(context);
            ConfigChange change;
            try
            {
                change = await read().ConfigureAwait(false);
            }
            catch (ChangeBodyException e)
            {
                ManagementLog.Audit(logger, caller.Name, caller.Role, context.Request.Method + " " + context.Request.Path, "refused: " + e.Message);
                return Results.BadRequest(new ApiError(e.Message));
            }

            var action = change.Describe();
            if (changes is null)
            {
                const string None = "this server has no running configuration to change";
                ManagementLog.Audit(logger, caller.Name, caller.Role, action, "refused: " + None);
                return Results.Json(new ApiError(None), statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            ChangeResult result;
            try
            {
                result = await changes.ApplyAsync(change, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ManagementLog.Audit(logger, caller.Name, caller.Role, action, "abandoned: the caller went away");
                throw;
            }

            ManagementLog.Audit(logger, caller.Name, caller.Role, action, (result.Status == ChangeStatus.Applied ? "done: " : $"refused ({result.Status.ToString().ToLowerInvariant()}): ") + result.Message);
            return result.Status switch
            {
                ChangeStatus.Applied => Results.Ok(new ChangeResponse(result.Message)),
                ChangeStatus.Invalid => Results.BadRequest(new ApiError(result.Message)),
                ChangeStatus.NotFound => Results.NotFound(new ApiError(result.Message)),
                ChangeStatus.Conflict => Results.Conflict(new ApiError(result.Message)),
                _ => Results.Json(new ApiError(result.Message), statusCode: StatusCodes.Status500InternalServerError),
            };
        }
    }
}
