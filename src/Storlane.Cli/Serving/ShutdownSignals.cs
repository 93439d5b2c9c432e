using System.Runtime.InteropServices;

namespace Storlane.Cli.Serving;

/// <summary>
/// Turns the first SIGINT (Ctrl-C), SIGTERM or SIGQUIT into a cancellation, so a command can stop
/// gracefully (serve flushes and exits 0; bench and io log out and report what they measured). A
/// second signal is left to its default action: the process ends at once, the way out when a stop
/// hangs. On Windows the runtime maps Ctrl-C/Ctrl-Break/close to these.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Action<string>? _onFirstSignal;

    /// <param name="onFirstSignal">Called with the signal's name when the first one arrives, before the cancellation (to tell the user a second one ends at once).</param>
    public ShutdownSignals(Action<string>? onFirstSignal = null)
    {
        _onFirstSignal = onFirstSignal;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
        ];
    }

    public CancellationToken Token => _requested.Token;

    /// <summary>The signal that asked to stop, for the log.</summary>
    public string Received { get; private set; } = "stop request";

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _requested.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_requested.IsCancellationRequested)
        {
            return;
        }

        context.Cancel = true;
        Received = context.Signal.ToString();
        _onFirstSignal?.Invoke(Received);
        _requested.Cancel();
    }
}
