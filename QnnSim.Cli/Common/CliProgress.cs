using Spectre.Console;

namespace QnnSim.Cli.Common;

/// <summary>An <see cref="IProgress{T}"/> that calls its handler synchronously on the reporting thread (unlike
/// <see cref="Progress{T}"/>, which posts to a synchronisation context), so a bar never lags behind the work.</summary>
/// <typeparam name="T">The value reported.</typeparam>
internal sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => handler(value);
}

/// <summary>
/// Progress reporting for long-running commands. When standard output is a terminal, a Spectre progress bar is
/// drawn on standard error; otherwise (pipes, files, tests, --json) nothing is drawn. Work reports a fraction in
/// [0, 1] through an <see cref="IProgress{T}"/>; reports may come from any thread.
/// </summary>
/// <example>
/// <code>
/// double[] result = CliProgress.Run(context, "Jacobian", progress =>
///     calculator.Compute(..., new SyncProgress&lt;int&gt;(done => progress.Report(done / (double)m)), context.CancellationToken));
/// </code>
/// </example>
internal static class CliProgress
{
    /// <summary>Runs <paramref name="work"/> with a progress bar labelled <paramref name="label"/> when interactive.</summary>
    public static T Run<T>(CliContext context, string label, Func<IProgress<double>, T> work)
    {
        if (!context.Interactive) return work(new SyncProgress<double>(_ => { }));
        var console = HumanOutput.Console(context.Error, interactive: true);
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: 1.0);
                var gate = new object();
                result = work(new SyncProgress<double>(f =>
                {
                    lock (gate) task.Value = Math.Clamp(f, 0, 1);
                }));
                task.Value = 1.0;
            });
        return result;
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar (see <see cref="Run{T}(CliContext, string, Func{IProgress{double}, T})"/>).</summary>
    public static void Run(CliContext context, string label, Action<IProgress<double>> work) =>
        Run<object?>(context, label, p => { work(p); return null; });
}
