using System.Collections.Immutable;

namespace QnnSim.Circuits;

/// <summary>
/// An immutable parameterised circuit on <see cref="QubitCount"/> qubits: a sequence of <see cref="Operation"/>s
/// whose angles may depend on trainable parameters θ (<see cref="ParameterNames"/>) and data inputs x
/// (<see cref="InputNames"/>). Values are passed at run time, so one circuit serves a whole dataset and a whole
/// training run. Optionally ends in computational-basis measurements (<see cref="MeasuredQubits"/>) that files may
/// declare as their readout; the unitary part is all that is simulated.
/// </summary>
/// <remarks>Qubit 0 is the least significant bit of a basis index.</remarks>
public sealed class Circuit
{
    private ImmutableArray<ImmutableArray<int>> _parameterUsage;

    /// <summary>Creates a circuit after validating every qubit index and variable reference.</summary>
    /// <param name="qubitCount">Number of qubits, 1..30.</param>
    /// <param name="operations">The operations in time order.</param>
    /// <param name="parameterNames">Names of θ_0..θ_{p−1} (distinct, non-empty).</param>
    /// <param name="inputNames">Names of x_0..x_{q−1} (distinct, non-empty, disjoint from the parameter names).</param>
    /// <param name="measuredQubits">Qubits measured at the end, in classical-bit order (empty: none).</param>
    /// <exception cref="ArgumentOutOfRangeException">A qubit count outside 1..30 or an operation qubit outside 0..n−1.</exception>
    /// <exception cref="ArgumentException">An angle that refers to a parameter or input beyond the name lists, or duplicate names.</exception>
    public Circuit(int qubitCount, IEnumerable<Operation> operations, IEnumerable<string>? parameterNames = null,
        IEnumerable<string>? inputNames = null, IEnumerable<int>? measuredQubits = null)
    {
        if (qubitCount < 1 || qubitCount > MaxQubits)
            ThrowHelper.ArgumentOutOfRange(nameof(qubitCount), qubitCount, $"1..{MaxQubits} qubits");
        ArgumentNullException.ThrowIfNull(operations);
        QubitCount = qubitCount;
        Operations = [.. operations];
        ParameterNames = parameterNames is null ? [] : [.. parameterNames];
        InputNames = inputNames is null ? [] : [.. inputNames];
        MeasuredQubits = measuredQubits is null ? [] : [.. measuredQubits];

        ValidateNames(ParameterNames, nameof(parameterNames), "parameter");
        ValidateNames(InputNames, nameof(inputNames), "input");
        foreach (var name in InputNames)
            if (ParameterNames.Contains(name))
                throw new ArgumentException($"'{name}' is both a parameter and an input name.", nameof(inputNames));

        for (int i = 0; i < Operations.Length; i++)
        {
            var op = Operations[i] ?? throw new ArgumentNullException(nameof(operations), $"operation {i} is null.");
            foreach (int q in op.Qubits)
                if (q >= qubitCount)
                    throw new ArgumentOutOfRangeException(nameof(operations), q,
                        $"operation {i} ({op.Name}): qubit {q} is out of range for a {qubitCount}-qubit circuit (0..{qubitCount - 1}).");
            foreach (var a in op.Angles)
            {
                int pe = a.ParameterExtent(), ie = a.InputExtent();
                if (pe > ParameterNames.Length)
                    throw new ArgumentException($"operation {i} ({op.Name}) uses parameter index {pe - 1}, but the circuit has {ParameterNames.Length} parameters (0..{ParameterNames.Length - 1}).", nameof(operations));
                if (ie > InputNames.Length)
                    throw new ArgumentException($"operation {i} ({op.Name}) uses input index {ie - 1}, but the circuit has {InputNames.Length} inputs (0..{InputNames.Length - 1}).", nameof(operations));
            }
        }
        foreach (int q in MeasuredQubits)
            if (q < 0 || q >= qubitCount) ThrowHelper.QubitOutOfRange(nameof(measuredQubits), q, qubitCount);
    }

    /// <summary>The most qubits a circuit may have: 30 (2^30 amplitudes, 16 GiB, the largest array .NET allows).</summary>
    public const int MaxQubits = 30;

    /// <summary>Number of qubits n.</summary>
    public int QubitCount { get; }

    /// <summary>Number of noise channels (<see cref="GateKind.Channel"/> operations) in the circuit.</summary>
    public int ChannelCount => _channelCount ??= Operations.Count(o => o.IsChannel);

    private int? _channelCount;

    /// <summary>True when the circuit contains noise channels, so it needs a density-matrix or trajectory simulator.</summary>
    public bool HasNoise => ChannelCount > 0;

    /// <summary>The operations in time order.</summary>
    public ImmutableArray<Operation> Operations { get; }

    /// <summary>Names of the trainable parameters θ_0..θ_{p−1}.</summary>
    public ImmutableArray<string> ParameterNames { get; }

    /// <summary>Names of the data inputs x_0..x_{q−1}.</summary>
    public ImmutableArray<string> InputNames { get; }

    /// <summary>Qubits measured at the end (the file's readout), in classical-bit order; empty when none.</summary>
    public ImmutableArray<int> MeasuredQubits { get; }

    /// <summary>Number of trainable parameters p.</summary>
    public int ParameterCount => ParameterNames.Length;

    /// <summary>Number of data inputs q.</summary>
    public int InputCount => InputNames.Length;

    /// <summary>For each parameter j, the indices of the operations whose angles use θ_j.</summary>
    public ImmutableArray<ImmutableArray<int>> ParameterUsage
    {
        get
        {
            if (_parameterUsage.IsDefault)
            {
                var lists = Enumerable.Range(0, ParameterCount).Select(_ => new SortedSet<int>()).ToArray();
                for (int i = 0; i < Operations.Length; i++)
                    foreach (var a in Operations[i].Angles)
                        a.VisitVariables((k, j) => { if (k == VariableKind.Parameter) lists[j].Add(i); });
                _parameterUsage = [.. lists.Select(l => l.ToImmutableArray())];
            }
            return _parameterUsage;
        }
    }

    /// <summary>Index of the parameter with this name, or −1.</summary>
    public int IndexOfParameter(string name) => ParameterNames.IndexOf(name);

    /// <summary>Index of the input with this name, or −1.</summary>
    public int IndexOfInput(string name) => InputNames.IndexOf(name);

    /// <summary>Operation counts by <see cref="Operation.Name"/>, in order of first appearance.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> GateCounts()
    {
        var counts = new Dictionary<string, int>();
        var order = new List<string>();
        foreach (var op in Operations)
        {
            if (!counts.TryGetValue(op.Name, out int c)) order.Add(op.Name);
            counts[op.Name] = c + 1;
        }
        return [.. order.Select(n => new KeyValuePair<string, int>(n, counts[n]))];
    }

    /// <summary>Circuit depth: the longest chain of operations that share qubits (global phases count for no qubit).</summary>
    public int Depth()
    {
        var level = new int[QubitCount];
        int depth = 0;
        foreach (var op in Operations)
        {
            if (!op.Qubits.Any()) continue;
            int d = op.Qubits.Max(q => level[q]) + 1;
            foreach (int q in op.Qubits) level[q] = d;
            depth = Math.Max(depth, d);
        }
        return depth;
    }

    /// <summary>
    /// This circuit followed by <paramref name="next"/> (which may act on fewer qubits; its qubit q stays qubit q).
    /// Parameters and inputs are merged by name: a name in both circuits is one shared variable.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="next"/> is wider, or a name is a parameter in one and an input in the other.</exception>
    public Circuit Append(Circuit next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (next.QubitCount > QubitCount)
            throw new ArgumentException($"cannot append a {next.QubitCount}-qubit circuit to a {QubitCount}-qubit circuit (allowed: at most {QubitCount}).", nameof(next));
        var parameters = ParameterNames.ToList();
        var inputs = InputNames.ToList();
        foreach (var n in next.ParameterNames)
            if (inputs.Contains(n)) throw new ArgumentException($"'{n}' is an input in one circuit and a parameter in the other.", nameof(next));
        foreach (var n in next.InputNames)
            if (parameters.Contains(n)) throw new ArgumentException($"'{n}' is a parameter in one circuit and an input in the other.", nameof(next));
        int[] pmap = next.ParameterNames.Select(n => IndexOrAdd(parameters, n)).ToArray();
        int[] imap = next.InputNames.Select(n => IndexOrAdd(inputs, n)).ToArray();
        var ops = Operations.ToList();
        foreach (var op in next.Operations)
            ops.Add(op.WithAngles([.. op.Angles.Select(a => a.RemapVariables((k, j) => k == VariableKind.Parameter ? pmap[j] : imap[j]))]));
        return new Circuit(QubitCount, ops, parameters, inputs, next.MeasuredQubits.IsEmpty ? MeasuredQubits : next.MeasuredQubits);
    }

    /// <summary>The circuit repeated <paramref name="times"/> times; the repetitions share the same parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="times"/> is below 1.</exception>
    public Circuit Repeat(int times)
    {
        if (times < 1) ThrowHelper.ArgumentOutOfRange(nameof(times), times, "at least 1");
        var ops = new List<Operation>(Operations.Length * times);
        for (int r = 0; r < times; r++) ops.AddRange(Operations);
        return new Circuit(QubitCount, ops, ParameterNames, InputNames, MeasuredQubits);
    }

    /// <summary>The inverse circuit U†: operations reversed, each inverted (<see cref="Operation.Inverse"/>). Measurements are dropped.</summary>
    public Circuit Inverse() =>
        new(QubitCount, Operations.Reverse().Select(o => o.Inverse()), ParameterNames, InputNames);

    /// <summary>The same circuit without its final measurements (the unitary part).</summary>
    public Circuit WithoutMeasurements() => new(QubitCount, Operations, ParameterNames, InputNames);

    /// <summary>The same circuit with the named parameters turned into data inputs (appended after the existing inputs, in the order given).</summary>
    /// <exception cref="ArgumentException">A name that is not a parameter.</exception>
    public Circuit WithParametersAsInputs(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var moving = names.ToList();
        foreach (var n in moving)
            if (!ParameterNames.Contains(n))
                throw new ArgumentException($"'{n}' is not a parameter of the circuit (parameters: {string.Join(", ", ParameterNames)}).", nameof(names));
        var keptParams = ParameterNames.Where(n => !moving.Contains(n)).ToList();
        var inputs = InputNames.Concat(moving).ToList();
        Func<VariableKind, int, VariableKind> kindMap = (k, j) => k == VariableKind.Parameter && moving.Contains(ParameterNames[j]) ? VariableKind.Input : k;
        var ops = Operations.Select(op => op.WithAngles([.. op.Angles.Select(a => Rebind(a, kindMap, keptParams, inputs))]));
        return new Circuit(QubitCount, ops, keptParams, inputs, MeasuredQubits);
    }

    private Angle Rebind(Angle a, Func<VariableKind, int, VariableKind> kindMap, List<string> keptParams, List<string> inputs)
    {
        return a.Remap((k, j) =>
        {
            string name = k == VariableKind.Parameter ? ParameterNames[j] : InputNames[j];
            var nk = kindMap(k, j);
            return (nk, nk == VariableKind.Parameter ? keptParams.IndexOf(name) : inputs.IndexOf(name));
        });
    }

    private static int IndexOrAdd(List<string> list, string name)
    {
        int i = list.IndexOf(name);
        if (i >= 0) return i;
        list.Add(name);
        return list.Count - 1;
    }

    private static void ValidateNames(ImmutableArray<string> names, string paramName, string what)
    {
        var set = new HashSet<string>();
        foreach (var n in names)
        {
            if (string.IsNullOrWhiteSpace(n)) throw new ArgumentException($"a {what} name is empty.", paramName);
            if (!set.Add(n)) throw new ArgumentException($"the {what} name '{n}' appears twice.", paramName);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"Circuit({QubitCount} qubits, {Operations.Length} operations, {ParameterCount} parameters, {InputCount} inputs)";
}
