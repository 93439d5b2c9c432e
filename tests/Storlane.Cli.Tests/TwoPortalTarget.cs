using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Storlane.Target;

namespace Storlane.Cli.Tests;

/// <summary>Storlane's target in-process for the CLI tests: two loopback portals (groups 1 and 2, ephemeral ports) serving memory LUNs.</summary>
internal static class TwoPortalTarget
{
    public static Task<IscsiTargetServer> StartAsync(string targetName, string secondAddress, params LunOptions[] luns) =>
        StartAsync(targetName, secondAddress, NullLoggerFactory.Instance, luns);

    /// <summary>The same, logging to <paramref name="loggerFactory"/> (to see how an initiator left: logout or reset).</summary>
    public static async Task<IscsiTargetServer> StartAsync(string targetName, string secondAddress, ILoggerFactory loggerFactory, params LunOptions[] luns)
    {
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 1 });
        options.Portals.Add(new PortalOptions { Address = secondAddress, Port = 0, Group = 2 });
        var target = new TargetOptions { Name = targetName };
        target.Luns.AddRange(luns);
        options.Targets.Add(target);
        var server = new IscsiTargetServer(options, loggerFactory);
        await server.StartAsync();
        return server;
    }

    /// <summary>A memory LUN of <paramref name="sizeBytes"/> with the given geometry.</summary>
    public static LunOptions MemoryLun(ulong lun, long sizeBytes, int logicalBlockSize, int physicalBlockSize) =>
        new() { Lun = lun, Backend = LunBackend.Memory, SizeBytes = sizeBytes, LogicalBlockSize = logicalBlockSize, PhysicalBlockSize = physicalBlockSize };

    /// <summary><c>iscsi://address:port/target</c> through one portal, without the LUN.</summary>
    public static string TargetUrl(IscsiTargetServer server, string targetName, int portal)
    {
        var endpoint = server.BoundEndpoints[portal];
        return string.Create(CultureInfo.InvariantCulture, $"iscsi://{endpoint.Address}:{endpoint.Port}/{targetName}");
    }
}
