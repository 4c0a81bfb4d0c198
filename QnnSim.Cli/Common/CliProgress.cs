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
/// Progress reporting for long-running commands. When standard output is a terminal, a Spectre progress bar with the
/// elapsed time and an estimate of the time left is drawn on standard error; otherwise (pipes, files, batch jobs,
/// --json) a plain line such as <c>training: 40% (12 s elapsed, about 18 s left)</c> goes to standard error at most
/// every <see cref="PlainInterval"/>, so short runs print nothing. Work reports a fraction in [0, 1] through an
/// <see cref="IProgress{T}"/>; reports may come from any thread.
/// </summary>
/// <example>
/// <code>
/// double[] result = CliProgress.Run(context, "Jacobian", progress =>
///     calculator.Compute(..., new SyncProgress&lt;int&gt;(done => progress.Report(done / (double)m)), context.CancellationToken));
/// </code>
/// </example>
internal static class CliProgress
{
    /// <summary>The shortest time between two plain progress lines.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="work"/> with a progress bar labelled <paramref name="label"/> when interactive, plain lines otherwise.</summary>
    public static T Run<T>(CliContext context, string label, Func<IProgress<double>, T> work) => Run(context, label, work, PlainInterval);

    /// <summary>As <see cref="Run{T}(CliContext, string, Func{IProgress{double}, T})"/>, with the interval of the plain lines.</summary>
    internal static T Run<T>(CliContext context, string label, Func<IProgress<double>, T> work, TimeSpan plainInterval)
    {
        if (!context.Interactive) return work(PlainLines(context.Error, label, plainInterval));
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

    /// <summary>A progress that writes "label: P% (E s elapsed, about R s left)" when at least <paramref name="interval"/> has passed since the last line.</summary>
    private static SyncProgress<double> PlainLines(TextWriter error, string label, TimeSpan interval)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gate = new object();
        TimeSpan last = TimeSpan.Zero;
        return new SyncProgress<double>(f =>
        {
            if (!(f > 0) || f > 1) return;
            lock (gate)
            {
                var now = clock.Elapsed;
                if (now - last < interval) return;
                last = now;
                double elapsed = now.TotalSeconds, left = elapsed * (1 - f) / f;
                error.WriteLine(FormattableString.Invariant($"{label}: {f * 100:F0}% ({elapsed:F0} s elapsed, about {left:F0} s left)"));
                error.Flush();
            }
        });
    }

    /// <summary>Runs <paramref name="work"/> with a progress bar (see <see cref="Run{T}(CliContext, string, Func{IProgress{double}, T})"/>).</summary>
    public static void Run(CliContext context, string label, Action<IProgress<double>> work) =>
        Run<object?>(context, label, p => { work(p); return null; });
}
