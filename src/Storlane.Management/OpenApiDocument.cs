using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Storlane.Management;

/// <summary>
/// The OpenAPI document of the API at <see cref="Path"/> (monitor role), generated from the
/// mapped endpoints, so every route — changes added later included — is described without a
/// hand-kept list. Tests read it to try every change endpoint with each role.
/// </summary>
internal static class OpenApiDocument
{
    public const string Path = "/openapi/v1.json";
    private const string Name = "v1";

    public static void AddServices(IServiceCollection services) =>
        services.AddOpenApi(Name, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Storlane management API";
            document.Info.Description = "Reads need the monitor role, changes the admin role: a bearer token from the config's management.tokens, or (on the Unix socket only) root or the server's own user.";
            document.Info.Version = Name;
            return Task.CompletedTask;
        }));

    public static void Map(IEndpointRouteBuilder routes) =>
        routes.MapOpenApi("/openapi/{documentName}.json").WithMetadata(new RequiresRole(ApiRole.Monitor));
}
