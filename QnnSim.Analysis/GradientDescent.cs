using System.Globalization;

namespace QnnSim.Analysis;

/// <summary>Which steps of a training run are recorded.</summary>
public sealed class RecordSchedule
{
    private readonly Func<long, SortedSet<long>> _steps;
    private readonly Func<long, long> _maxCount;
    private readonly string _text;

    private RecordSchedule(Func<long, SortedSet<long>> steps, Func<long, long> maxCount, string text)
    {
        _steps = steps;
        _maxCount = maxCount;
        _text = text;
    }

    /// <summary>
    /// About <paramref name="pointsPerDecade"/> log-spaced steps per decade: k = 0, 1, and round(10^{j/n}) up to the
    /// last step, which is always recorded (the default, 20 per decade: enough for log–log fits).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pointsPerDecade"/> below 1.</exception>
    public static RecordSchedule Logarithmic(int pointsPerDecade = 20)
    {
        if (pointsPerDecade < 1) throw new ArgumentOutOfRangeException(nameof(pointsPerDecade), pointsPerDecade, $"pointsPerDecade = {pointsPerDecade} is out of range; allowed: at least 1.");
        return new RecordSchedule(total =>
        {
            var set = new SortedSet<long> { 0, total };
            for (int j = 0; ; j++)
            {
                double k = Math.Pow(10, j / (double)pointsPerDecade);
                if (k > total) break;
                set.Add((long)Math.Round(k));
            }
            return set;
        }, total => Math.Min(total + 1, (long)Math.Ceiling(pointsPerDecade * Math.Log10(Math.Max(total, 1))) + 3), "log");
    }

    /// <summary>Every <paramref name="interval"/>-th step (0, K, 2K, …) and the last.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> below 1.</exception>
    public static RecordSchedule Every(long interval)
    {
        if (interval < 1) throw new ArgumentOutOfRangeException(nameof(interval), interval, $"interval = {interval} is out of range; allowed: at least 1.");
        return new RecordSchedule(total =>
        {
            var set = new SortedSet<long> { total };
            for (long k = 0; k <= total; k += interval) set.Add(k);
            return set;
        }, total => Math.Min(total + 1, total / interval + 2), $"every:{interval}");
    }

    /// <summary>Exactly the given steps (those beyond the run are ignored) plus step 0 and the last.</summary>
    public static RecordSchedule At(IEnumerable<long> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var list = steps.ToArray();
        foreach (long s in list) if (s < 0) throw new ArgumentOutOfRangeException(nameof(steps), s, $"step {s} is out of range; allowed: ≥ 0.");
        return new RecordSchedule(total =>
        {
            var set = new SortedSet<long> { 0, total };
            foreach (long s in list) if (s <= total) set.Add(s);
            return set;
        }, total => Math.Min(total + 1, list.LongLength + 2), "at");
    }

    /// <summary>Parses "log", "log:N" (N points per decade) or "every:K".</summary>
    /// <exception cref="ParseException">Anything else.</exception>
    public static RecordSchedule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        if (t == "log") return Logarithmic();
        if (t.StartsWith("log:", StringComparison.Ordinal) && int.TryParse(t[4..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1)
            return Logarithmic(n);
        if (t.StartsWith("every:", StringComparison.Ordinal) && long.TryParse(t[6..], NumberStyles.None, CultureInfo.InvariantCulture, out long k) && k >= 1)
            return Every(k);
        throw new ParseException("--record", 1, 1, $"'{text}' is not a record schedule; expected log, log:N or every:K with N, K ≥ 1");
    }

    /// <summary>The recorded steps of a run of <paramref name="totalSteps"/> steps, ascending.</summary>
    /// <exception cref="NotEnoughMemoryException">The list (at most <see cref="MaxCount"/> steps) would not fit in the memory available.</exception>
    public IReadOnlyList<long> Steps(long totalSteps)
    {
        // A sorted-set node and a list slot a step: every:1 over 2·10^9 steps would be 10^11 bytes.
        long count = MaxCount(totalSteps);
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(count, 56), $"the list of {count} recorded steps ({_text} over {totalSteps} steps)");
        return [.. _steps(totalSteps)];
    }

    /// <summary>An upper bound on the number of steps <see cref="Steps"/> returns, computed without listing them
    /// (for memory checks before a run).</summary>
    public long MaxCount(long totalSteps) => totalSteps < 0 ? 0 : Math.Max(1, _maxCount(totalSteps));

    /// <inheritdoc/>
    public override string ToString() => _text;
}

/// <summary>Settings of a gradient-descent run on L = ½ Σ_i (ŷ_i − y_i)².</summary>
public sealed record TrainingOptions
{
    /// <summary>The learning rate η (> 0). For p-independent dynamics use <see cref="Rescaled"/> (η = η0/p).</summary>
    public required double LearningRate { get; init; }

    /// <summary>Number of steps N (≥ 0).</summary>
    public required long Steps { get; init; }

    /// <summary>Which steps are recorded (default <see cref="RecordSchedule.Logarithmic"/>).</summary>
    public RecordSchedule Record { get; init; } = RecordSchedule.Logarithmic();

    /// <summary>Record the tangent kernel K(θ_k) = J Jᵀ at each recorded step (default true; cheap: m² dot products of length p).</summary>
    public bool RecordKernel { get; init; } = true;

    /// <summary>Record a copy of θ_k at each recorded step (default false).</summary>
    public bool RecordParameters { get; init; }

    /// <summary>Options with η = η0/p (docs/theory.md §1), so that rescaled time s = η0·k gives p-independent dynamics.</summary>
    /// <exception cref="ArgumentOutOfRangeException">η0 not positive or p below 1.</exception>
    public static TrainingOptions Rescaled(double eta0, int parameters, long steps)
    {
        if (!(eta0 > 0) || !double.IsFinite(eta0)) throw new ArgumentOutOfRangeException(nameof(eta0), eta0, $"eta0 = {eta0} is out of range; allowed: a finite number > 0.");
        if (parameters < 1) throw new ArgumentOutOfRangeException(nameof(parameters), parameters, $"parameters = {parameters} is out of range; allowed: at least 1.");
        return new TrainingOptions { LearningRate = eta0 / parameters, Steps = steps };
    }
}

/// <summary>The state of a run at one recorded step k.</summary>
/// <param name="Step">k.</param>
/// <param name="Time">Rescaled time s = η·p·k (= η0·k when η = η0/p).</param>
/// <param name="Loss">L = ½ ‖r‖².</param>
/// <param name="ResidualNorm">‖r‖₂.</param>
/// <param name="Residuals">r_i = ŷ_i − y_i.</param>
/// <param name="Outputs">ŷ_i.</param>
/// <param name="ParameterDisplacement">‖θ_k − θ_0‖₂.</param>
/// <param name="Kernel">K(θ_k), when recorded.</param>
/// <param name="Parameters">θ_k, when recorded.</param>
public sealed record TrainingRecord(long Step, double Time, double Loss, double ResidualNorm, double[] Residuals, double[] Outputs,
    double ParameterDisplacement, TangentKernel? Kernel, double[]? Parameters);

/// <summary>Progress of a run, reported at every record and about every 1000 steps.</summary>
/// <param name="Step">Steps done.</param>
/// <param name="TotalSteps">Steps planned.</param>
/// <param name="Loss">The latest loss.</param>
public readonly record struct TrainingProgress(long Step, long TotalSteps, double Loss);

/// <summary>The result of <see cref="GradientDescent.Train"/>.</summary>
public sealed class TrainingRun
{
    internal TrainingRun(double learningRate, int parameterCount, double[] labels, double[] initial, double[] final,
        List<TrainingRecord> records, long stepsCompleted, bool cancelled, bool diverged, long? divergedAtStep = null, string? divergenceReason = null)
    {
        DivergedAtStep = divergedAtStep;
        DivergenceReason = divergenceReason;
        LearningRate = learningRate;
        ParameterCount = parameterCount;
        Labels = labels;
        InitialParameters = initial;
        FinalParameters = final;
        Records = records;
        StepsCompleted = stepsCompleted;
        Cancelled = cancelled;
        Diverged = diverged;
    }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>η0 = η·p.</summary>
    public double Eta0 => LearningRate * ParameterCount;

    /// <summary>p.</summary>
    public int ParameterCount { get; }

    /// <summary>The labels y.</summary>
    public IReadOnlyList<double> Labels { get; }

    /// <summary>θ_0.</summary>
    public IReadOnlyList<double> InitialParameters { get; }

    /// <summary>θ at the end (after <see cref="StepsCompleted"/> steps).</summary>
    public IReadOnlyList<double> FinalParameters { get; }

    /// <summary>The records, by ascending step.</summary>
    public IReadOnlyList<TrainingRecord> Records { get; }

    /// <summary>Steps actually taken.</summary>
    public long StepsCompleted { get; }

    /// <summary>True when the run stopped early because of the cancellation token (the records so far are kept).</summary>
    public bool Cancelled { get; }

    /// <summary>True when the loss or a parameter became non-finite (η far above the critical rate) and the run stopped;
    /// the records so far are kept and <see cref="FinalParameters"/> is the last finite θ.</summary>
    public bool Diverged { get; }

    /// <summary>The step at which the run diverged: k when the loss at θ_k was non-finite, k + 1 when the update
    /// θ_k → θ_{k+1} overflowed; null when it did not diverge.</summary>
    public long? DivergedAtStep { get; }

    /// <summary>What became non-finite, at which step, and what to do; null when the run did not diverge.</summary>
    public string? DivergenceReason { get; }

    /// <summary>Rescaled times s of the records.</summary>
    public double[] Times => [.. Records.Select(r => r.Time)];

    /// <summary>‖r‖ of the records.</summary>
    public double[] ResidualNorms => [.. Records.Select(r => r.ResidualNorm)];

    /// <summary>Kernel deviation of each record from the first (requires <see cref="TrainingOptions.RecordKernel"/>).</summary>
    /// <exception cref="InvalidOperationException">Kernels were not recorded.</exception>
    public KernelDeviation[] KernelDeviations()
    {
        if (Records.Count == 0 || Records[0].Kernel is null) throw new InvalidOperationException("the run did not record kernels (TrainingOptions.RecordKernel = false).");
        var k0 = Records[0].Kernel!;
        return [.. Records.Select(r => KernelDeviation.Between(k0, r.Kernel!))];
    }
}

/// <summary>
/// Full-batch gradient descent θ_{k+1} = θ_k − η Jᵀ r on L = ½ Σ_i r_i², r_i = ŷ_i − y_i (docs/theory.md §1), recording
/// loss, residuals, outputs, displacement and the tangent kernel at chosen steps.
/// </summary>
public static class GradientDescent
{
    /// <summary>Trains <paramref name="model"/> from <paramref name="initialParameters"/> towards <paramref name="labels"/>.</summary>
    /// <remarks>
    /// Step k evaluates ŷ(θ_k) and J(θ_k), records if k is scheduled, then updates. When the model is an
    /// <see cref="IResidualGradientEvaluator"/> and step k records no kernel, the step asks it for ŷ and Jᵀr only
    /// (same numbers, bit for bit). Buffers are allocated once: a step allocates nothing (records allocate their own
    /// copies; <see cref="CircuitModelEvaluator"/> and <see cref="PaperModelEngine"/> reuse their work states). On cancellation the run stops between steps and returns
    /// what it has with <see cref="TrainingRun.Cancelled"/> set; a non-finite loss stops it with
    /// <see cref="TrainingRun.Diverged"/> set.
    /// </remarks>
    /// <exception cref="ArgumentException">Labels or θ_0 of the wrong length, or a non-finite value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">η not positive and finite, or a negative step count.</exception>
    /// <exception cref="NotEnoughMemoryException">The records the schedule asks for (r, ŷ, and K and θ when recorded) would
    /// not fit in the memory available; checked before the run starts.</exception>
    public static TrainingRun Train(IModelEvaluator model, ReadOnlySpan<double> labels, ReadOnlySpan<double> initialParameters,
        TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        int m = model.SampleCount, p = model.ParameterCount;
        if (labels.Length != m) throw new ArgumentException($"the label vector has length {labels.Length}, but the model has {m} samples.", nameof(labels));
        if (initialParameters.Length != p) throw new ArgumentException($"θ_0 has length {initialParameters.Length}, but the model has {p} parameters.", nameof(initialParameters));
        foreach (double y in labels) if (!double.IsFinite(y)) throw new ArgumentException($"a label is {y}; labels must be finite.", nameof(labels));
        foreach (double t in initialParameters) if (!double.IsFinite(t)) throw new ArgumentException($"a parameter is {t}; θ_0 must be finite.", nameof(initialParameters));
        double eta = options.LearningRate;
        if (!(eta > 0) || !double.IsFinite(eta)) throw new ArgumentOutOfRangeException(nameof(options), eta, $"LearningRate = {eta} is out of range; allowed: a finite number > 0.");
        if (options.Steps < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Steps, $"Steps = {options.Steps} is out of range; allowed: ≥ 0.");

        long total = options.Steps;
        // Checked before anything is allocated: each record copies r and ŷ (2m doubles), K (m² when recorded) and θ (p when recorded).
        long recordCount = options.Record.MaxCount(total);
        long recordDoubles = 2L * m + (options.RecordKernel ? (long)m * m : 0) + (options.RecordParameters ? p : 0);
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(recordCount, recordDoubles * sizeof(double) + 160),
            $"up to {recordCount} training records ({options.Record} over {total} steps) of {recordDoubles} numbers each");
        var schedule = options.Record.Steps(total);
        int next = 0;
        var theta = initialParameters.ToArray();
        var theta0 = initialParameters.ToArray();
        var y0 = labels.ToArray();
        var outputs = new double[m];
        var residual = new double[m];
        var jacobian = new double[m * p];
        var gradient = new double[p];
        var previous = new double[p];
        long? divergedAt = null;
        string? reason = null;
        var fast = model as IResidualGradientEvaluator;
        var records = new List<TrainingRecord>(schedule.Count);
        bool cancelled = false, diverged = false;
        long k = 0;
        for (; ; k++)
        {
            bool scheduled = next < schedule.Count && schedule[next] == k;
            // J itself is needed only for a recorded kernel; otherwise an IResidualGradientEvaluator gives Jᵀr directly
            // (bit-identical by its contract).
            bool direct = fast is not null && !(scheduled && options.RecordKernel);
            try
            {
                if (direct) fast!.EvaluateResidualGradient(theta, y0, outputs, gradient);
                else model.Evaluate(theta, outputs, jacobian);
            }
            catch (ArgumentOutOfRangeException e) when (k > 0)
            {
                // θ_k is finite but an angle it drives is not (e.g. w·x with w near 1e308): the update to step k diverged.
                previous.CopyTo(theta, 0);
                diverged = true;
                divergedAt = k;
                reason = $"the model could not be evaluated at step {k} ({e.Message.Split(" (Parameter", 2)[0]}); the learning rate η = {eta.ToString(CultureInfo.InvariantCulture)} is far above the critical rate";
                k--;
                break;
            }
            double loss = 0;
            for (int i = 0; i < m; i++)
            {
                residual[i] = outputs[i] - y0[i];
                loss += residual[i] * residual[i];
            }
            loss *= 0.5;
            if (!double.IsFinite(loss))
            {
                diverged = true;
                divergedAt = k;
                reason = $"the loss became {loss.ToString(CultureInfo.InvariantCulture)} at step {k}; the learning rate η = {eta.ToString(CultureInfo.InvariantCulture)} is far above the critical rate";
                break;
            }
            bool last = k == total;
            if (scheduled)
            {
                next++;
                records.Add(new TrainingRecord(k, eta * ((double)p * k), loss, Math.Sqrt(2 * loss), (double[])residual.Clone(), (double[])outputs.Clone(),
                    Distance(theta, theta0), options.RecordKernel ? TangentKernel.FromJacobian(jacobian, m, p) : null,
                    options.RecordParameters ? (double[])theta.Clone() : null));
                progress?.Report(new TrainingProgress(k, total, loss));
            }
            else if ((k & 1023) == 0) progress?.Report(new TrainingProgress(k, total, loss));
            if (last) break;
            if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
            theta.CopyTo(previous, 0);
            if (direct)
            {
                for (int l = 0; l < p; l++) theta[l] -= eta * gradient[l];
            }
            else
            {
                for (int l = 0; l < p; l++)
                {
                    double g = 0;
                    for (int i = 0; i < m; i++) g += residual[i] * jacobian[i * p + l];
                    theta[l] -= eta * g;
                }
            }
            int bad = Array.FindIndex(theta, t => !double.IsFinite(t));
            if (bad >= 0)
            {
                // The update θ_k → θ_{k+1} overflowed: keep θ_k (the last finite point) and say where and why.
                string value = theta[bad].ToString(CultureInfo.InvariantCulture);
                previous.CopyTo(theta, 0);
                diverged = true;
                divergedAt = k + 1;
                reason = $"parameter {bad} became {value} in the update to step {k + 1} (η·gradient overflowed); the learning rate η = {eta.ToString(CultureInfo.InvariantCulture)} is far above the critical rate";
                break;
            }
        }
        return new TrainingRun(eta, p, y0, theta0, theta, records, k, cancelled, diverged, divergedAt, reason);
    }

    /// <summary>‖a − b‖₂ without overflow for finite a, b of any size (scaled by the largest difference).</summary>
    internal static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double scale = 0;
        for (int l = 0; l < a.Length; l++) scale = Math.Max(scale, Math.Abs(a[l] - b[l]));
        if (scale == 0 || double.IsInfinity(scale))
        {
            // A difference of two finite numbers can overflow only beyond 1.8e308; halve both first.
            if (scale == 0) return 0;
            double s2 = 0, big = 0;
            for (int l = 0; l < a.Length; l++) big = Math.Max(big, Math.Abs(0.5 * a[l] - 0.5 * b[l]));
            for (int l = 0; l < a.Length; l++) { double d = (0.5 * a[l] - 0.5 * b[l]) / big; s2 += d * d; }
            return 2 * big * Math.Sqrt(s2);
        }
        double s = 0;
        for (int l = 0; l < a.Length; l++) { double d = (a[l] - b[l]) / scale; s += d * d; }
        return scale * Math.Sqrt(s);
    }
}
