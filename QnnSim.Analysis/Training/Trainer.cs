using QnnSim.Randomness;

namespace QnnSim.Analysis;

/// <summary>Early stopping: stop when the monitored loss (the held-out loss when there is a held-out set, else the
/// training loss) has not improved by more than <paramref name="MinDelta"/> for <paramref name="Patience"/> records.</summary>
/// <param name="Patience">Records without improvement before stopping (≥ 1).</param>
/// <param name="MinDelta">The improvement that counts (≥ 0).</param>
/// <param name="RestoreBest">Return the parameters of the best record instead of the last (default true).</param>
public sealed record EarlyStopping(int Patience, double MinDelta = 0, bool RestoreBest = true);

/// <summary>What a <see cref="TrainerOptions.Callback"/> sees after an update.</summary>
/// <param name="Step">Updates done.</param>
/// <param name="Epoch">The epoch in progress (0-based).</param>
/// <param name="BatchLoss">The mean loss of the minibatch just used (at the parameters before the update).</param>
/// <param name="Parameters">θ after the update (a copy).</param>
public sealed record TrainerStep(long Step, long Epoch, double BatchLoss, double[] Parameters);

/// <summary>Settings of a <see cref="Trainer"/> run.</summary>
public sealed record TrainerOptions
{
    /// <summary>The optimiser (rule and learning rate).</summary>
    public required OptimizerSettings Optimizer { get; init; }

    /// <summary>Epochs in total (≥ 0), counted from the start of the run being resumed, if any.</summary>
    public required long Epochs { get; init; }

    /// <summary>The loss (default squared error).</summary>
    public LossKind Loss { get; init; } = LossKind.SquaredError;

    /// <summary>β: the logistic and cross-entropy losses read βf (default 1; Pauli readouts lie in [−1, 1]).</summary>
    public double LogitScale { get; init; } = 1.0;

    /// <summary>Minibatch size b (0, the default, or ≥ m: full batch, no shuffling). Each epoch visits the samples in a
    /// permutation drawn from <c>SeededRandom.ForStream(Seed, epoch)</c>, in ⌈m/b⌉ batches (the last may be smaller).</summary>
    public int BatchSize { get; init; }

    /// <summary>Seed of the minibatch permutations.</summary>
    public ulong Seed { get; init; }

    /// <summary>Record (evaluate the full training and held-out losses and accuracies) every this many epochs (default 1); the
    /// start and the end are always recorded.</summary>
    public long RecordEvery { get; init; } = 1;

    /// <summary>Copy θ into each record (default false).</summary>
    public bool RecordParameters { get; init; }

    /// <summary>Early stopping, checked at every record (default none).</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Called after every <see cref="CallbackEvery"/>-th update; returning false stops the run
    /// (<see cref="StopReason.Callback"/>).</summary>
    public Func<TrainerStep, bool>? Callback { get; init; }

    /// <summary>Updates between callbacks (default 1).</summary>
    public long CallbackEvery { get; init; } = 1;
}

/// <summary>Why a <see cref="Trainer"/> run stopped.</summary>
public enum StopReason
{
    /// <summary>All epochs done.</summary>
    Completed,
    /// <summary><see cref="TrainerOptions.EarlyStopping"/> fired.</summary>
    EarlyStopped,
    /// <summary>The cancellation token fired; the records so far are kept.</summary>
    Cancelled,
    /// <summary>The loss or a parameter became non-finite (<see cref="FitResult.DivergenceMessage"/> says where).</summary>
    Diverged,
    /// <summary>The callback returned false.</summary>
    Callback,
}

/// <summary>One record of a <see cref="Trainer"/> run (after <paramref name="Epoch"/> epochs).</summary>
/// <param name="Epoch">Epochs done.</param>
/// <param name="Step">Updates done.</param>
/// <param name="TrainLoss">Mean loss over the training set.</param>
/// <param name="TrainAccuracy">Fraction of training samples whose predicted label (<see cref="Losses.Predict"/>) equals the label; null for regression.</param>
/// <param name="TestLoss">Mean held-out loss, or null without a held-out set.</param>
/// <param name="TestAccuracy">Held-out accuracy, or null.</param>
/// <param name="ParameterDisplacement">‖θ − θ_0‖₂ (θ_0 of this run, also when resumed).</param>
/// <param name="Parameters">θ, when recorded.</param>
public sealed record FitRecord(long Epoch, long Step, double TrainLoss, double? TrainAccuracy, double? TestLoss, double? TestAccuracy,
    double ParameterDisplacement, double[]? Parameters);

/// <summary>Where a run stands: enough to resume it bit for bit (<see cref="ParameterFile"/> saves it as JSON).</summary>
/// <param name="Parameters">θ.</param>
/// <param name="Epoch">Epochs done.</param>
/// <param name="Step">Updates done.</param>
/// <param name="Optimizer">The optimiser's state.</param>
public sealed record TrainingCheckpoint(double[] Parameters, long Epoch, long Step, OptimizerState Optimizer);

/// <summary>A model bound to a dataset with its labels: the training set or a held-out set of a <see cref="Trainer"/> run.</summary>
/// <param name="Model">The model evaluated on the set's samples.</param>
/// <param name="Labels">The labels (one per sample).</param>
public sealed record LabelledModel(IBatchModelEvaluator Model, IReadOnlyList<double> Labels);

/// <summary>The result of <see cref="Trainer.Fit(LabelledModel, ReadOnlySpan{double}, TrainerOptions, LabelledModel?, TrainingCheckpoint?, IProgress{TrainingProgress}?, CancellationToken)"/>.</summary>
public sealed class FitResult
{
    internal FitResult(List<FitRecord> records, double[] initial, double[] final, TrainingCheckpoint checkpoint, StopReason reason,
        long? divergedAtStep, string? message, int bestRecord)
    {
        Records = records;
        InitialParameters = initial;
        FinalParameters = final;
        Checkpoint = checkpoint;
        StopReason = reason;
        DivergedAtStep = divergedAtStep;
        DivergenceMessage = message;
        BestRecord = bestRecord;
    }

    /// <summary>The records, by ascending epoch.</summary>
    public IReadOnlyList<FitRecord> Records { get; }

    /// <summary>θ at the start of this run.</summary>
    public IReadOnlyList<double> InitialParameters { get; }

    /// <summary>θ returned: the last finite θ, or the best record's θ after early stopping with
    /// <see cref="EarlyStopping.RestoreBest"/>.</summary>
    public IReadOnlyList<double> FinalParameters { get; }

    /// <summary>The state after the last update taken (to save and resume).</summary>
    public TrainingCheckpoint Checkpoint { get; }

    /// <summary>Why the run stopped.</summary>
    public StopReason StopReason { get; }

    /// <summary>True when the run diverged.</summary>
    public bool Diverged => StopReason == StopReason.Diverged;

    /// <summary>The update at which the loss or a parameter became non-finite (1-based: the k-th update), or null.</summary>
    public long? DivergedAtStep { get; }

    /// <summary>What became non-finite and what to do, or null.</summary>
    public string? DivergenceMessage { get; }

    /// <summary>Index into <see cref="Records"/> of the record with the lowest monitored loss.</summary>
    public int BestRecord { get; }
}

/// <summary>
/// Trains any <see cref="IBatchModelEvaluator"/> with gradient descent, momentum or Adam, full-batch or on seeded
/// minibatches, for the losses of <see cref="LossKind"/>, with held-out evaluation, early stopping, callbacks and
/// resumable checkpoints. The gradient of a batch B is (1/|B|) Σ_{i∈B} Σ_o (∂ℓ/∂f_o) ∂f_o(x_i)/∂θ, summed in batch
/// order (so results do not depend on the thread count), from Jacobian blocks of at most <see cref="ChunkSize"/> samples
/// at a time: memory grows with p·k·min(b, 1024), never with m² (no kernel is formed).
/// </summary>
public static class Trainer
{
    /// <summary>Samples evaluated per call to the model (bounds the Jacobian buffer).</summary>
    public const int ChunkSize = 1024;

    /// <summary>Convenience: binds <paramref name="model"/> to <paramref name="train"/> (and <paramref name="test"/>) and fits.</summary>
    /// <exception cref="ArgumentException">Labels that do not fit the loss, θ_0 of the wrong length or non-finite, or a dataset that does not fit the circuit.</exception>
    public static FitResult Fit(QnnModel model, Dataset train, ReadOnlySpan<double> initialParameters, TrainerOptions options, Dataset? test = null,
        TrainingCheckpoint? resume = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        return Fit(new LabelledModel(model.BindBatches(train), train.Labels), initialParameters, options,
            test is null ? null : new LabelledModel(model.BindBatches(test), test.Labels), resume, progress, cancellationToken);
    }

    /// <summary>Trains <paramref name="train"/> from <paramref name="initialParameters"/> (or from <paramref name="resume"/>).</summary>
    /// <param name="train">The model on the training set, with its labels.</param>
    /// <param name="initialParameters">θ_0 (ignored when resuming).</param>
    /// <param name="options">The settings.</param>
    /// <param name="test">An optional held-out set.</param>
    /// <param name="resume">A checkpoint to continue from (same optimiser kind and p); epochs count on from it.</param>
    /// <param name="progress">Reports after every update.</param>
    /// <param name="cancellationToken">Stops between updates; the result then has <see cref="StopReason.Cancelled"/>.</param>
    /// <exception cref="ArgumentException">Labels that do not fit the loss, θ_0 of the wrong length or non-finite, models with different p or k.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range.</exception>
    /// <exception cref="NotEnoughMemoryException">The records the run would keep (epochs / RecordEvery of them) would not fit
    /// in the memory available; checked before the run starts.</exception>
    public static FitResult Fit(LabelledModel train, ReadOnlySpan<double> initialParameters, TrainerOptions options, LabelledModel? test = null,
        TrainingCheckpoint? resume = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        var model = train.Model;
        int m = model.SampleCount, p = model.ParameterCount, k = model.OutputCount;
        if (train.Labels.Count != m) throw new ArgumentException($"{train.Labels.Count} labels for {m} samples.", nameof(train));
        Losses.ValidateLabels(options.Loss, k, train.Labels);
        if (test is not null)
        {
            if (test.Model.ParameterCount != p || test.Model.OutputCount != k)
                throw new ArgumentException($"the held-out model has p = {test.Model.ParameterCount}, k = {test.Model.OutputCount}; the training model has p = {p}, k = {k}.", nameof(test));
            if (test.Labels.Count != test.Model.SampleCount) throw new ArgumentException($"{test.Labels.Count} held-out labels for {test.Model.SampleCount} samples.", nameof(test));
            Losses.ValidateLabels(options.Loss, k, test.Labels);
        }
        options.Optimizer.Validate();
        if (options.Epochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, $"Epochs = {options.Epochs} is out of range; allowed: ≥ 0.");
        if (options.BatchSize < 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"BatchSize = {options.BatchSize} is out of range; allowed: 0 (full batch) or ≥ 1.");
        if (options.RecordEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), options.RecordEvery, $"RecordEvery = {options.RecordEvery} is out of range; allowed: ≥ 1.");
        if (options.CallbackEvery < 1) throw new ArgumentOutOfRangeException(nameof(options), options.CallbackEvery, $"CallbackEvery = {options.CallbackEvery} is out of range; allowed: ≥ 1.");
        if (!(options.LogitScale > 0) || !double.IsFinite(options.LogitScale)) throw new ArgumentOutOfRangeException(nameof(options), options.LogitScale, $"LogitScale = {options.LogitScale} is out of range; allowed: a finite number > 0.");
        if (options.EarlyStopping is { } es && (es.Patience < 1 || !(es.MinDelta >= 0)))
            throw new ArgumentOutOfRangeException(nameof(options), es, $"EarlyStopping(Patience = {es.Patience}, MinDelta = {es.MinDelta}) is out of range; allowed: Patience ≥ 1, MinDelta ≥ 0.");

        var optimizer = options.Optimizer.Create(p);
        double[] theta;
        long epoch = 0, step = 0;
        if (resume is not null)
        {
            if (resume.Parameters.Length != p) throw new ArgumentException($"the checkpoint has {resume.Parameters.Length} parameters, but the model has {p}.", nameof(resume));
            optimizer.LoadState(resume.Optimizer);
            theta = (double[])resume.Parameters.Clone();
            epoch = resume.Epoch;
            step = resume.Step;
        }
        else
        {
            if (initialParameters.Length != p) throw new ArgumentException($"θ_0 has length {initialParameters.Length}, but the model has {p} parameters.", nameof(initialParameters));
            theta = initialParameters.ToArray();
        }
        for (int l = 0; l < p; l++)
            if (!double.IsFinite(theta[l])) throw new ArgumentException($"θ_0[{l}] is {theta[l]}; the parameters must be finite.", nameof(initialParameters));

        // Records grow with the run: checked before it starts (a record is ~120 bytes, plus θ when recorded).
        long recordCount = Math.Max(0, options.Epochs - epoch) / options.RecordEvery + 2;
        MemoryBudget.EnsureAvailable(MemoryBudget.Bytes(recordCount, 120 + (options.RecordParameters ? 8L * p : 0)),
            $"up to {recordCount} training records ({options.Epochs - epoch} epochs, one record every {options.RecordEvery})");

        var theta0 = (double[])theta.Clone();
        int b = options.BatchSize == 0 || options.BatchSize >= m ? m : options.BatchSize;
        int batches = (m + b - 1) / b;
        long totalSteps = step + Math.Max(0, options.Epochs - epoch) * batches;
        var order = Enumerable.Range(0, m).ToArray();
        int chunk = Math.Min(ChunkSize, b);
        var outputs = new double[chunk * k];
        var jacobian = new double[chunk * k * p];
        var dLoss = new double[k];
        var gradient = new double[p];
        var previous = new double[p];
        var records = new List<FitRecord>();
        var evaluation = new Evaluation(Math.Min(ChunkSize, Math.Max(m, test?.Model.SampleCount ?? 0)), k);
        double best = double.PositiveInfinity;
        int bestRecord = 0, stale = 0;
        double[] bestTheta = (double[])theta.Clone();
        var reason = StopReason.Completed;
        long? divergedAt = null;
        string? message = null;

        bool Record()
        {
            var (trainLoss, trainAcc) = evaluation.Run(train, theta, options);
            double? testLoss = null, testAcc = null;
            if (test is not null) (testLoss, testAcc) = evaluation.Run(test, theta, options);
            records.Add(new FitRecord(epoch, step, trainLoss, trainAcc, testLoss, testAcc, GradientDescent.Distance(theta, theta0), options.RecordParameters ? (double[])theta.Clone() : null));
            double monitored = testLoss ?? trainLoss;
            if (monitored < best - (options.EarlyStopping?.MinDelta ?? 0))
            {
                best = monitored;
                bestRecord = records.Count - 1;
                theta.CopyTo(bestTheta, 0);
                stale = 0;
            }
            else stale++;
            return options.EarlyStopping is { } stop && stale >= stop.Patience;
        }

        bool early = Record();
        if (early) reason = StopReason.EarlyStopped;
        while (reason == StopReason.Completed && epoch < options.Epochs)
        {
            if (b < m) Shuffle(order, options.Seed, epoch);
            for (int start = 0; start < m && reason == StopReason.Completed; start += b)
            {
                if (cancellationToken.IsCancellationRequested) { reason = StopReason.Cancelled; break; }
                int size = Math.Min(b, m - start);
                double batchLoss;
                try { batchLoss = BatchGradient(model, train.Labels, options, theta, order.AsSpan(start, size), outputs, jacobian, dLoss, gradient); }
                catch (ArgumentOutOfRangeException e) when (step > 0 && !records.Any(r => r.Step == step))
                {
                    // θ is finite but an angle it drives is not (e.g. w·x with w near 1e308): the last update diverged.
                    Unevaluable(e);
                    break;
                }
                if (!double.IsFinite(batchLoss))
                {
                    reason = StopReason.Diverged;
                    divergedAt = step + 1;
                    message = $"the loss became {batchLoss} at update {step + 1} (epoch {epoch}); the learning rate {options.Optimizer.LearningRate} is far too large";
                    break;
                }
                theta.CopyTo(previous, 0);
                optimizer.Step(theta, gradient);
                step++;
                int bad = Array.FindIndex(theta, t => !double.IsFinite(t));
                if (bad >= 0)
                {
                    string value = theta[bad].ToString(System.Globalization.CultureInfo.InvariantCulture);
                    previous.CopyTo(theta, 0);
                    step--;
                    reason = StopReason.Diverged;
                    divergedAt = step + 1;
                    message = $"parameter {bad} became {value} at update {step + 1} (epoch {epoch}): the update with learning rate {options.Optimizer.LearningRate} overflowed; lower the learning rate";
                    break;
                }
                progress?.Report(new TrainingProgress(step, totalSteps, batchLoss));
                if (options.Callback is not null && step % options.CallbackEvery == 0 &&
                    !options.Callback(new TrainerStep(step, epoch, batchLoss, (double[])theta.Clone())))
                    reason = StopReason.Callback;
            }
            if (reason is StopReason.Diverged or StopReason.Cancelled) break;
            epoch++;
            if (epoch % options.RecordEvery == 0 || epoch == options.Epochs || reason != StopReason.Completed)
            {
                bool stop;
                try { stop = Record(); }
                catch (ArgumentOutOfRangeException e) when (step > 0)
                {
                    Unevaluable(e);
                    break;
                }
                if (stop && reason == StopReason.Completed) reason = StopReason.EarlyStopped;
            }
        }

        void Unevaluable(ArgumentOutOfRangeException e)
        {
            previous.CopyTo(theta, 0);
            reason = StopReason.Diverged;
            divergedAt = step;
            step--;
            message = $"the model could not be evaluated after update {step + 1} ({e.Message.Split(" (Parameter", 2)[0]}): the learning rate {options.Optimizer.LearningRate} drove the parameters out of range; lower the learning rate";
        }
        // A run cut short between records keeps the state it reached as its last record (unless θ diverged: then the
        // last finite θ was restored and the record shows it).
        if (reason is StopReason.Cancelled or StopReason.Diverged && records[^1].Step != step) Record();
        var checkpoint = new TrainingCheckpoint((double[])theta.Clone(), epoch, step, optimizer.SaveState());
        var final = reason == StopReason.EarlyStopped && options.EarlyStopping!.RestoreBest ? bestTheta : theta;
        return new FitResult(records, theta0, (double[])final.Clone(), checkpoint, reason, divergedAt, message, bestRecord);
    }

    /// <summary>The permutation of epoch <paramref name="epoch"/>: Fisher–Yates from <c>SeededRandom.ForStream(seed, epoch)</c>.</summary>
    private static void Shuffle(int[] order, ulong seed, long epoch)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var rng = SeededRandom.ForStream(seed, (ulong)epoch);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)rng.NextInt64(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    private static double BatchGradient(IBatchModelEvaluator model, IReadOnlyList<double> labels, TrainerOptions options, double[] theta,
        ReadOnlySpan<int> batch, double[] outputs, double[] jacobian, double[] dLoss, double[] gradient)
    {
        int k = model.OutputCount, p = model.ParameterCount;
        Array.Clear(gradient);
        double loss = 0;
        for (int start = 0; start < batch.Length; start += ChunkSize)
        {
            var part = batch.Slice(start, Math.Min(ChunkSize, batch.Length - start));
            int c = part.Length;
            model.Evaluate(theta, part, outputs.AsSpan(0, c * k), jacobian.AsSpan(0, c * k * p));
            for (int i = 0; i < c; i++)
            {
                loss += Losses.Value(options.Loss, outputs.AsSpan(i * k, k), labels[part[i]], options.LogitScale, dLoss);
                for (int o = 0; o < k; o++)
                {
                    double w = dLoss[o];
                    if (w == 0) continue;
                    var row = jacobian.AsSpan((i * k + o) * p, p);
                    for (int l = 0; l < p; l++) gradient[l] += w * row[l];
                }
            }
        }
        double inv = 1.0 / batch.Length;
        for (int l = 0; l < p; l++) gradient[l] *= inv;
        return loss * inv;
    }

    /// <summary>Full-set mean loss and accuracy, forward passes only, in chunks.</summary>
    private sealed class Evaluation(int chunk, int k)
    {
        private readonly double[] _outputs = new double[Math.Max(1, chunk) * k];
        private readonly int[] _indices = new int[Math.Max(1, chunk)];

        public (double Loss, double? Accuracy) Run(LabelledModel set, double[] theta, TrainerOptions options)
        {
            int m = set.Model.SampleCount;
            double loss = 0;
            long correct = 0;
            for (int start = 0; start < m; start += _indices.Length)
            {
                int c = Math.Min(_indices.Length, m - start);
                for (int i = 0; i < c; i++) _indices[i] = start + i;
                set.Model.Evaluate(theta, _indices.AsSpan(0, c), _outputs.AsSpan(0, c * k), default);
                for (int i = 0; i < c; i++)
                {
                    var f = _outputs.AsSpan(i * k, k);
                    double y = set.Labels[start + i];
                    loss += Losses.Value(options.Loss, f, y, options.LogitScale, default);
                    if (Losses.Predict(options.Loss, f) == y) correct++;
                }
            }
            return (loss / m, Losses.IsClassification(options.Loss, k) ? correct / (double)m : null);
        }
    }
}
