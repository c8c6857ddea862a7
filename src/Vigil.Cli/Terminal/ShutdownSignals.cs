using System.Runtime.InteropServices;

namespace Vigil.Cli.Terminal;

/// <summary>Ctrl+C (SIGINT) and SIGTERM: the first asks for a clean stop, the second ends the process at once.</summary>
public sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly Action _onFirst;
    private int _signals;

    public ShutdownSignals(Action onFirst)
    {
        _onFirst = onFirst;
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Stop => _stop.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) == 1)
        {
            _onFirst();
            _stop.Cancel();
        }
        else
        {
            Environment.Exit(130);
        }
    }
}
