using QnnSim.Cli;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: cancel cleanly and keep what has finished; a second one ends the process.
    if (cts.IsCancellationRequested) return;
    e.Cancel = true;
    cts.Cancel();
};
return CliApp.Run(args, Console.Out, Console.Error, cts.Token, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected);
