using System.Text;
using System.Text.Json;
using Storlane.Storage.Vhdx;

namespace Storlane.Cli.Commands;

/// <summary><c>disk info --json</c>: the same facts as the text, sizes in bytes, camelCase keys as in the bench's JSON.</summary>
internal static class DiskInfoJson
{
    public static string Raw(long length) => Write(writer =>
    {
        writer.WriteString("format", "raw");
        writer.WriteNumber("virtualSize", length);
        writer.WriteNumber("fileSize", length);
    });

    public static string Vhdx(VhdxDiskInfo info) => Write(writer =>
    {
        writer.WriteString("format", "vhdx");
        writer.WriteString("type", info.Type.ToString().ToLowerInvariant());
        writer.WriteNumber("virtualSize", info.VirtualSize);
        writer.WriteNumber("fileSize", info.FileSize);
        writer.WriteNumber("blockSize", info.BlockSize);
        writer.WriteNumber("logicalSectorSize", info.LogicalSectorSize);
        writer.WriteNumber("physicalSectorSize", info.PhysicalSectorSize);
        writer.WriteNumber("allocatedBlocks", info.AllocatedBlocks);
        writer.WriteNumber("blockCount", info.BlockCount);
        writer.WriteNumber("chunkRatio", info.ChunkRatio);
        writer.WriteString("virtualDiskId", info.VirtualDiskId);
        writer.WriteString("dataWriteGuid", info.DataWriteGuid);
        if (info.ParentPath is null)
        {
            writer.WriteNull("parent");
        }
        else
        {
            writer.WriteString("parent", info.ParentPath);
        }

        writer.WriteNumber("pendingLogEntries", info.ReplayedLogEntries);
    });

    private static string Write(Action<Utf8JsonWriter> properties)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
