using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Storlane.Storage;
using Storlane.Target.Tests.Support;
using Storlane.TestSupport;

namespace Storlane.Target.Tests;

/// <summary>"A clean stop loses no acknowledged write": every device is flushed and closed, whatever another device does.</summary>
public sealed class ServerStopTests
{
    [Fact]
    public async Task Stop_FirstDeviceFlushThrows_LaterDevicesAreStillFlushedAndEveryDeviceDisposed()
    {
        var devices = new[] { new RecordingDevice(failFlush: true), new RecordingDevice(failDispose: true), new RecordingDevice() };
        var logs = new RecordingLoggerFactory();
        var options = new TargetServerOptions { NopInIntervalSeconds = 0 };
        options.Portals.Add(new PortalOptions { Address = "127.0.0.1", Port = 0, Group = 1 });
        var target = new TargetOptions { Name = LoopbackTarget.DefaultName };
        for (var i = 0; i < devices.Length; i++)
        {
            target.Luns.Add(new LunOptions { Lun = (ulong)i, Backend = LunBackend.Memory, Device = devices[i], SizeBytes = devices[i].Geometry.SizeInBytes });
        }

        options.Targets.Add(target);
        var server = new IscsiTargetServer(options, logs);
        await server.StartAsync();

        await server.StopAsync(); // must not throw: a stop reports device failures, it does not abandon the rest

        Assert.All(devices, d => Assert.Equal(1, d.Flushes));
        Assert.All(devices, d => Assert.Equal(1, d.Disposals));
        Assert.Equal([1046, 1047], logs.Errors.Select(e => e.Id.Id).Order()); // the flush of the first, the close of the second
        Assert.All(logs.Errors, e => Assert.IsType<IOException>(e.Exception));
    }

    /// <summary>A memory device that counts flushes and disposals and can fail either.</summary>
    private sealed class RecordingDevice(bool failFlush = false, bool failDispose = false) : IBlockDevice
    {
        private readonly MemoryBlockDevice _inner = new(BlockGeometry.FromSize(1 << 20, 512, 512));
        private int _flushes;
        private int _disposals;

        public int Flushes => Volatile.Read(ref _flushes);

        public int Disposals => Volatile.Read(ref _disposals);

        public BlockGeometry Geometry => _inner.Geometry;

        public BlockDeviceFeatures Features => _inner.Features;

        public ValueTask ReadAsync(long lba, Memory<byte> destination, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(lba, destination, cancellationToken);

        public ValueTask WriteAsync(long lba, ReadOnlyMemory<byte> source, WriteOptions options = WriteOptions.None, CancellationToken cancellationToken = default) =>
            _inner.WriteAsync(lba, source, options, cancellationToken);

        public ValueTask FlushAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _flushes);
            return failFlush ? ValueTask.FromException(new IOException("injected flush failure")) : ValueTask.CompletedTask;
        }

        public ValueTask UnmapAsync(long lba, long blockCount, CancellationToken cancellationToken = default) =>
            _inner.UnmapAsync(lba, blockCount, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref _disposals);
            await _inner.DisposeAsync();
            if (failDispose)
            {
                throw new IOException("injected close failure");
            }
        }
    }

    /// <summary>Keeps every error-level entry, so the test sees each device failure reported.</summary>
    private sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<(EventId Id, Exception? Exception)> Errors { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                Errors.Enqueue((eventId, exception));
            }
        }
    }
}
