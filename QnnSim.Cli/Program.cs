using System.Runtime.InteropServices;
using QnnSim.Cli;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: cancel cleanly and keep what has finished; a second one ends the process.
    if (cts.IsCancellationRequested) return;
    e.Cancel = true;
    cts.Cancel();
};

// SIGTERM (kill, Slurm's scancel, a container stop) cancels like Ctrl-C, so a command writes what it finished, and the
// process exits with 143 (128 + 15). A second SIGTERM, or a command still running 30 s after the first, ends it at once.
int terminated = 0;
PosixSignalRegistration? sigterm = null;
try
{
    sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
    {
        if (Interlocked.Exchange(ref terminated, 1) == 1) { Environment.Exit(ExitCodes.Terminated); return; }
        signal.Cancel = true;
        cts.Cancel();
        _ = Task.Delay(TimeSpan.FromSeconds(30)).ContinueWith(_ => Environment.Exit(ExitCodes.Terminated), TaskScheduler.Default);
    });
}
catch (PlatformNotSupportedException) { }

using (sigterm)
{
    int code = CliApp.Run(args, Console.Out, Console.Error, cts.Token, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
    return code == ExitCodes.Cancelled && Volatile.Read(ref terminated) == 1 ? ExitCodes.Terminated : code;
}
