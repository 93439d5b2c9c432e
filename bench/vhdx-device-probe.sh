#!/usr/bin/env bash
# The focused measurement behind docs/vhdx.md "Is fixed VHDX slower than raw?": 1 MiB sequential
# writes at queue depth 16 straight into the block devices, no iSCSI, in one process: a sparse raw
# file, a raw file reserved with fallocate (what a fixed VHDX's payload is), a fixed VHDX and a
# dynamic VHDX. Order alternates per round, `sync` runs before each device, and per device it prints
# MB/s without and with the closing flush, bytes the process wrote (/proc/self/io write_bytes, so
# write amplification shows) and the VHDX log entries written (a log write or flush per I/O would
# show here).
#
#   bench/vhdx-device-probe.sh [size-MiB] [rounds] [dir]      defaults: 1024 3 $TMPDIR
# Set ARTIFACTS=/some/path to build there.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${1:-1024}
rounds=${2:-3}
dir=$(mktemp -d "${3:-${TMPDIR:-/tmp}}/storlane-vhdx-probe.XXXXXX")
trap 'rm -rf "$dir"' EXIT
artifacts=${ARTIFACTS:-$dir/artifacts}

mkdir -p "$dir/probe"
cat >"$dir/probe/probe.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$PWD/src/Storlane.Storage/Storlane.Storage.csproj" />
  </ItemGroup>
</Project>
XML
cat >"$dir/probe/Program.cs" <<'CS'
using System.Diagnostics;
using Storlane.Storage;
using Storlane.Storage.Vhdx;

var dir = args[0];
var size = long.Parse(args[1]) << 20;
var rounds = int.Parse(args[2]);
string[] kinds = ["raw-sparse", "raw-fallocated", "vhdx-fixed", "vhdx-dynamic"];
var buffers = new byte[16][];
for (var i = 0; i < buffers.Length; i++)
{
    buffers[i] = new byte[1 << 20];
    Random.Shared.NextBytes(buffers[i]);
}

Console.WriteLine($"{"round",5} {"device",-15} {"MB/s",8} {"MB/s+flush",11} {"written/payload",16} {"log entries",12}");
for (var round = 0; round < rounds; round++)
{
    foreach (var kind in round % 2 == 0 ? kinds : kinds.Reverse())
    {
        var path = Path.Combine(dir, kind);
        var device = await OpenAsync(kind, path, size);
        Process.Start("sync")!.WaitForExit();
        var writtenBefore = WriteBytes();
        var clock = Stopwatch.StartNew();
        long next = -1;
        var workers = new Task[16];
        for (var slot = 0; slot < workers.Length; slot++)
        {
            var buffer = buffers[slot];
            workers[slot] = Task.Run(async () =>
            {
                for (long i; (i = Interlocked.Increment(ref next)) < size >> 20;)
                {
                    await device.WriteAsync(i << 20 >> 9, buffer);
                }
            });
        }

        await Task.WhenAll(workers);
        var writes = clock.Elapsed.TotalSeconds;
        await device.FlushAsync();
        var total = clock.Elapsed.TotalSeconds;
        var amplification = (double)(WriteBytes() - writtenBefore) / size;
        var log = device is VhdxBlockDevice vhdx ? vhdx.LogEntriesWritten.ToString() : "-";
        await device.DisposeAsync();
        File.Delete(path);
        Console.WriteLine($"{round,5} {kind,-15} {(size >> 20) / writes,8:F0} {(size >> 20) / total,11:F0} {amplification,16:F3} {log,12}");
    }
}

static async Task<IBlockDevice> OpenAsync(string kind, string path, long size)
{
    switch (kind)
    {
        case "raw-sparse":
            return FileBlockDevice.OpenOrCreate(path, BlockGeometry.FromSize(size, 512, 512));
        case "raw-fallocated":
            await using (var stream = File.Create(path))
            {
            }

            Process.Start("fallocate", ["-l", size.ToString(), path])!.WaitForExit();
            return FileBlockDevice.OpenOrCreate(path, BlockGeometry.FromSize(size, 512, 512));
        default:
            var type = kind == "vhdx-fixed" ? VhdxDiskType.Fixed : VhdxDiskType.Dynamic;
            await VhdxDiskCreator.CreateAsync(path, new VhdxCreateOptions { Type = type, VirtualSize = size, LogicalSectorSize = 512 });
            return await VhdxBlockDevice.OpenAsync(path);
    }
}

static long WriteBytes()
{
    foreach (var line in File.ReadLines("/proc/self/io"))
    {
        if (line.StartsWith("write_bytes:", StringComparison.Ordinal))
        {
            return long.Parse(line["write_bytes:".Length..]);
        }
    }

    return 0;
}
CS
dotnet build "$dir/probe/probe.csproj" -c Release --nologo -v quiet --artifacts-path "$artifacts" >"$dir/build.log" 2>&1 || { cat "$dir/build.log" >&2; exit 1; }
dotnet "$artifacts/bin/probe/release/probe.dll" "$dir" "$size_mib" "$rounds"
