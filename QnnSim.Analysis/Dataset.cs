using System.Globalization;
using System.Numerics;
using QnnSim.Circuits;
using QnnSim.Randomness;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// A labelled dataset {(x_i, y_i)}: either classical inputs x_i (the circuit's data inputs) or prepared pure states
/// |ψ_i⟩, and real labels y_i. Immutable.
/// </summary>
public sealed class Dataset
{
    private Dataset(IReadOnlyList<InputValues>? inputs, IReadOnlyList<StateVector>? states, double[] labels, IReadOnlyList<string> inputNames)
    {
        Inputs = inputs;
        States = states;
        Labels = labels;
        InputNames = inputNames;
    }

    /// <summary>Classical inputs (null for a state dataset).</summary>
    public IReadOnlyList<InputValues>? Inputs { get; }

    /// <summary>Prepared pure input states (null for a classical dataset).</summary>
    public IReadOnlyList<StateVector>? States { get; }

    /// <summary>The labels y_i.</summary>
    public IReadOnlyList<double> Labels { get; }

    /// <summary>The labels as a new array.</summary>
    public double[] LabelArray() => [.. Labels];

    /// <summary>Names of the input columns (empty for a state dataset).</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>m.</summary>
    public int Count => Labels.Count;

    /// <summary>The samples at <paramref name="indices"/> (in that order; repeats allowed), with their labels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index outside 0..m−1.</exception>
    /// <exception cref="ArgumentException">No indices.</exception>
    public Dataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("a subset needs at least one sample.", nameof(indices));
        foreach (int i in indices)
            if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"sample index {i} is out of range; allowed: 0..{Count - 1}.");
        return new Dataset(Inputs is null ? null : [.. indices.Select(i => Inputs[i])], States is null ? null : [.. indices.Select(i => States[i])],
            [.. indices.Select(i => Labels[i])], InputNames);
    }

    /// <summary>
    /// A seeded train/test split: a permutation of 0..m−1 from <c>new SeededRandom(seed)</c> (Fisher–Yates); the first
    /// round(f·m) indices, in ascending order, form the test set and the rest, ascending, the training set.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">f outside (0, 1), or a split that leaves either side empty.</exception>
    public (Dataset Train, Dataset Test) Split(double testFraction, ulong seed)
    {
        if (!(testFraction > 0 && testFraction < 1)) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"testFraction = {testFraction} is out of range; allowed: (0, 1).");
        int test = (int)Math.Round(testFraction * Count);
        if (test < 1 || test > Count - 1)
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"testFraction = {testFraction} of {Count} samples gives {test} test samples; both sides need at least one.");
        var order = Enumerable.Range(0, Count).ToArray();
        var rng = new SeededRandom(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)rng.NextInt64(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var testIdx = order[..test].Order().ToArray();
        var trainIdx = order[test..].Order().ToArray();
        return (Subset(trainIdx), Subset(testIdx));
    }

    /// <summary>The same samples with labels y'_i = <paramref name="map"/>(y_i) (e.g. y ↦ (1 + y)/2 for 0/1 labels).</summary>
    /// <exception cref="ArgumentException">A mapped label that is not finite.</exception>
    public Dataset MapLabels(Func<double, double> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var labels = Labels.Select(map).ToArray();
        for (int i = 0; i < labels.Length; i++)
            if (!double.IsFinite(labels[i])) throw new ArgumentException($"label {i} maps to {labels[i]}; labels must be finite.", nameof(map));
        return new Dataset(Inputs, States, labels, InputNames);
    }

    /// <summary>The dataset as CSV text that <see cref="ParseCsv"/> reads back: a header of the input names and
    /// <c>label</c>, then one row per sample, numbers in the invariant culture with round-trip precision.</summary>
    /// <exception cref="InvalidOperationException">A state dataset (no columns to write).</exception>
    public string ToCsv()
    {
        if (Inputs is null) throw new InvalidOperationException("a dataset of prepared states has no CSV form; only classical inputs can be written.");
        var sb = new System.Text.StringBuilder();
        sb.Append(string.Join(",", InputNames.Append("label"))).Append('\n');
        for (int i = 0; i < Count; i++)
        {
            foreach (double v in Inputs[i].Span) sb.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            sb.Append(Labels[i].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A dataset of classical inputs.</summary>
    /// <exception cref="ArgumentException">Counts differ, rows of different lengths, or non-finite values.</exception>
    public static Dataset FromInputs(IReadOnlyList<double[]> inputs, IReadOnlyList<double> labels, IReadOnlyList<string>? inputNames = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        if (inputs.Count != labels.Count) throw new ArgumentException($"{inputs.Count} inputs but {labels.Count} labels.", nameof(labels));
        if (inputs.Count == 0) throw new ArgumentException("a dataset needs at least one sample.", nameof(inputs));
        int q = inputs[0].Length;
        for (int i = 0; i < inputs.Count; i++)
        {
            if (inputs[i].Length != q) throw new ArgumentException($"sample {i} has {inputs[i].Length} inputs; sample 0 has {q}.", nameof(inputs));
            foreach (double v in inputs[i]) if (!double.IsFinite(v)) throw new ArgumentException($"sample {i} has the non-finite input {v}.", nameof(inputs));
            if (!double.IsFinite(labels[i])) throw new ArgumentException($"label {i} is {labels[i]}; labels must be finite.", nameof(labels));
        }
        var names = inputNames ?? [.. Enumerable.Range(0, q).Select(j => $"x{j}")];
        if (names.Count != q) throw new ArgumentException($"{names.Count} input names for {q} inputs.", nameof(inputNames));
        return new Dataset([.. inputs.Select(x => new InputValues((double[])x.Clone()))], null, [.. labels], [.. names]);
    }

    /// <summary>A dataset of prepared pure states.</summary>
    /// <exception cref="ArgumentException">Counts differ, states of different widths, or non-finite labels.</exception>
    public static Dataset FromStates(IReadOnlyList<StateVector> states, IReadOnlyList<double> labels)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(labels);
        if (states.Count != labels.Count) throw new ArgumentException($"{states.Count} states but {labels.Count} labels.", nameof(labels));
        if (states.Count == 0) throw new ArgumentException("a dataset needs at least one sample.", nameof(states));
        for (int i = 0; i < states.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(states[i], nameof(states));
            if (states[i].QubitCount != states[0].QubitCount) throw new ArgumentException($"state {i} has {states[i].QubitCount} qubits; state 0 has {states[0].QubitCount}.", nameof(states));
            if (!double.IsFinite(labels[i])) throw new ArgumentException($"label {i} is {labels[i]}; labels must be finite.", nameof(labels));
        }
        return new Dataset(null, [.. states.Select(s => s.Clone())], [.. labels], []);
    }

    /// <summary>
    /// The dataset of You et al. (ICML 2023, arXiv:2303.14844; docs/theory.md §4): the first m columns of a Haar unitary
    /// on n qubits (drawn from <c>new SeededRandom(seed)</c>) as m orthonormal pure states; the first ⌈m/2⌉ labelled
    /// +1, the rest −1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..12 or m outside 1..2^n.</exception>
    public static Dataset OrthonormalStates(int qubits, int count, ulong seed)
    {
        if (qubits < 1 || qubits > 12) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..12.");
        int d = 1 << qubits;
        if (count < 1 || count > d) throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is out of range; allowed: 1..{d} (orthonormal states in dimension {d}).");
        var u = HaarRandom.UnitaryElements(d, new SeededRandom(seed));
        var states = new StateVector[count];
        var labels = new double[count];
        var col = new Complex[d];
        for (int i = 0; i < count; i++)
        {
            for (int r = 0; r < d; r++) col[r] = u[r * d + i];
            states[i] = StateVector.FromAmplitudes(col);
            labels[i] = i < (count + 1) / 2 ? 1.0 : -1.0;
        }
        return new Dataset(null, states, labels, []);
    }

    /// <summary>
    /// Two pure states with overlap |⟨ψ_1|ψ_2⟩|² = <paramref name="overlap"/>: ψ_1 and ψ_⊥ are the first two columns of a
    /// Haar unitary (from <c>new SeededRandom(seed)</c>) and ψ_2 = √F ψ_1 + √(1 − F) ψ_⊥; labels +1 and −1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..12 or F outside [0, 1].</exception>
    public static Dataset StatePair(int qubits, double overlap, ulong seed)
    {
        if (!(overlap >= 0 && overlap <= 1)) throw new ArgumentOutOfRangeException(nameof(overlap), overlap, $"overlap = {overlap} is out of range; allowed: [0, 1].");
        var basis = OrthonormalStates(qubits, 2, seed);
        var a = basis.States![0].Amplitudes;
        var b = basis.States![1].Amplitudes;
        var c = new Complex[a.Length];
        double f = Math.Sqrt(overlap), g = Math.Sqrt(1 - overlap);
        double norm = 0;
        for (int k = 0; k < c.Length; k++)
        {
            c[k] = f * a[k] + g * b[k];
            norm += c[k].Real * c[k].Real + c[k].Imaginary * c[k].Imaginary;
        }
        for (int k = 0; k < c.Length; k++) c[k] /= Math.Sqrt(norm);
        return new Dataset(null, [basis.States[0], StateVector.FromAmplitudes(c)], [1.0, -1.0], []);
    }

    /// <summary>
    /// Reads a CSV file with a header row naming the data inputs' columns and a <c>label</c> column (any order; other
    /// columns are an error). Blank lines and lines starting with '#' are skipped. Numbers use the invariant culture.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="inputNames">The circuit's data input names (<see cref="Circuit.InputNames"/>), all required as columns.</param>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ParseException">A missing or unknown column, a bad number or a short row, with file, line and column.</exception>
    public static Dataset LoadCsv(string path, IReadOnlyList<string> inputNames)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
        return ParseCsv(File.ReadAllText(path), path, inputNames);
    }

    /// <summary>Parses CSV text (see <see cref="LoadCsv"/>); <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ParseException">Malformed text.</exception>
    public static Dataset ParseCsv(string text, string sourceName, IReadOnlyList<string> inputNames)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(inputNames);
        var lines = text.Split('\n');
        int[]? map = null; // column -> input index, −1 for label
        int headerLine = 0;
        var rows = new List<double[]>();
        var labels = new List<double>();
        for (int li = 0; li < lines.Length; li++)
        {
            string line = lines[li].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            var cells = SplitCells(line);
            if (map is null)
            {
                headerLine = li + 1;
                map = new int[cells.Count];
                var seen = new HashSet<string>();
                for (int c = 0; c < cells.Count; c++)
                {
                    string name = cells[c].Text.Trim();
                    if (!seen.Add(name)) throw new ParseException(sourceName, li + 1, cells[c].Column, $"column '{name}' appears twice");
                    if (name == "label") map[c] = -1;
                    else
                    {
                        int idx = IndexOf(inputNames, name);
                        if (idx < 0) throw new ParseException(sourceName, li + 1, cells[c].Column,
                            $"unknown column '{name}'; expected the circuit's inputs ({(inputNames.Count == 0 ? "none" : string.Join(", ", inputNames))}) and 'label'");
                        map[c] = idx;
                    }
                }
                if (!seen.Contains("label")) throw new ParseException(sourceName, li + 1, 1, "the header has no 'label' column");
                foreach (var n in inputNames)
                    if (!seen.Contains(n)) throw new ParseException(sourceName, li + 1, 1, $"the header has no column for the circuit input '{n}'");
                continue;
            }
            if (cells.Count != map.Length)
                throw new ParseException(sourceName, li + 1, cells[^1].Column, $"row has {cells.Count} fields, but the header (line {headerLine}) has {map.Length}");
            var x = new double[inputNames.Count];
            double y = 0;
            for (int c = 0; c < cells.Count; c++)
            {
                string t = cells[c].Text.Trim();
                if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                    throw new ParseException(sourceName, li + 1, cells[c].Column, $"'{t}' is not a finite number");
                if (map[c] < 0) y = v; else x[map[c]] = v;
            }
            rows.Add(x);
            labels.Add(y);
        }
        if (map is null) throw new ParseException(sourceName, 1, 1, "the file is empty; expected a header row with the input columns and 'label'");
        if (rows.Count == 0) throw new ParseException(sourceName, headerLine, 1, "the file has a header but no data rows");
        return new Dataset([.. rows.Select(r => new InputValues(r))], null, [.. labels], [.. inputNames]);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }

    private static List<(string Text, int Column)> SplitCells(string line)
    {
        var cells = new List<(string, int)>();
        int start = 0;
        for (int i = 0; i <= line.Length; i++)
        {
            if (i == line.Length || line[i] == ',')
            {
                cells.Add((line[start..i], start + 1));
                start = i + 1;
            }
        }
        return cells;
    }
}

/// <summary>Initial parameters θ_0: zeros, a seeded uniform draw, or a name,value CSV file.</summary>
public static class InitialParameters
{
    /// <summary>θ_0 = 0.</summary>
    public static double[] Zeros(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is out of range; allowed: ≥ 0.");
        return new double[count];
    }

    /// <summary>θ_l uniform on [0, 2π), drawn in order from <c>new SeededRandom(seed)</c> (as <c>qnnsim jacobian --init uniform</c>).</summary>
    public static double[] Uniform(int count, ulong seed)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"count = {count} is out of range; allowed: ≥ 0.");
        var rng = new SeededRandom(seed);
        var t = new double[count];
        for (int l = 0; l < count; l++) t[l] = rng.NextDouble(0, 2 * Math.PI);
        return t;
    }

    /// <summary>
    /// Reads name,value rows (an optional header "name,value"; blank and '#' lines skipped) and returns θ in the order
    /// of <paramref name="parameterNames"/>; every parameter must appear exactly once.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="ParseException">An unknown, repeated or missing name, or a bad number.</exception>
    public static double[] LoadCsv(string path, IReadOnlyList<string> parameterNames)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"no such file: {path}", path);
        return ParseCsv(File.ReadAllText(path), path, parameterNames);
    }

    /// <summary>Parses name,value text (see <see cref="LoadCsv"/>).</summary>
    /// <exception cref="ParseException">Malformed text.</exception>
    public static double[] ParseCsv(string text, string sourceName, IReadOnlyList<string> parameterNames)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(parameterNames);
        var values = new double[parameterNames.Count];
        var set = new bool[parameterNames.Count];
        var lines = text.Split('\n');
        int lastLine = 1;
        for (int li = 0; li < lines.Length; li++)
        {
            string line = lines[li].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#')) continue;
            lastLine = li + 1;
            int comma = line.IndexOf(',');
            if (comma < 0) throw new ParseException(sourceName, li + 1, line.Length + 1, "expected 'name,value'");
            string name = line[..comma].Trim(), val = line[(comma + 1)..].Trim();
            if (name == "name" && val == "value") continue;
            int idx = -1;
            for (int j = 0; j < parameterNames.Count; j++) if (parameterNames[j] == name) idx = j;
            if (idx < 0) throw new ParseException(sourceName, li + 1, 1, $"unknown parameter '{name}'");
            if (set[idx]) throw new ParseException(sourceName, li + 1, 1, $"parameter '{name}' is given twice");
            if (!double.TryParse(val, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                throw new ParseException(sourceName, li + 1, comma + 2, $"'{val}' is not a finite number");
            values[idx] = v;
            set[idx] = true;
        }
        for (int j = 0; j < set.Length; j++)
            if (!set[j]) throw new ParseException(sourceName, lastLine, 1, $"parameter '{parameterNames[j]}' has no value");
        return values;
    }
}
