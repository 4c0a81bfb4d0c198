using System.Diagnostics;
using QnnSim.Circuits;

namespace QnnSim.Analysis;

/// <summary>
/// Built-in families of circuits scaled by the number of qubits n and layers L, for barren-plateau and
/// overparameterisation scans (<see cref="GradientEnsemble"/>, <see cref="OverparameterizationScan"/>).
/// </summary>
public static class CircuitFamilies
{
    /// <summary>
    /// The hardware-efficient ansatz of McClean et al. (2018) and Cerezo et al. (2021): L layers, each Ry(θ) then
    /// Rz(θ) on every qubit followed by a CZ ladder CZ(0,1), CZ(1,2), …, CZ(n−2, n−1); p = 2nL parameters named
    /// t0, t1, … in gate order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..30 or L below 1.</exception>
    public static Circuit HardwareEfficient(int qubits, int layers)
    {
        Check(qubits, layers);
        var b = new CircuitBuilder(qubits);
        int k = 0;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < qubits; q++)
            {
                b.Ry(q, b.Parameter($"t{k++}"));
                b.Rz(q, b.Parameter($"t{k++}"));
            }
            for (int q = 0; q + 1 < qubits; q++) b.CZ(q, q + 1);
        }
        return b.Build();
    }

    /// <summary>
    /// A data re-uploading classifier (Pérez-Salinas et al., Quantum 4, 226 (2020)) on n qubits reading q inputs
    /// x[0]..x[q−1]: L layers, each Ry(x_{j mod q}) on qubit j, then trainable Ry(θ), Rz(θ) on every qubit and the CZ ladder;
    /// p = 2nL.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n outside 1..30, L below 1 or q below 1.</exception>
    public static Circuit DataReuploading(int qubits, int layers, int inputs = 2)
    {
        Check(qubits, layers);
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, $"inputs = {inputs} is out of range; allowed: at least 1.");
        var b = new CircuitBuilder(qubits);
        var x = b.Inputs("x", inputs);
        int k = 0;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < qubits; q++) b.Ry(q, x[q % inputs]);
            for (int q = 0; q < qubits; q++)
            {
                b.Ry(q, b.Parameter($"t{k++}"));
                b.Rz(q, b.Parameter($"t{k++}"));
            }
            for (int q = 0; q + 1 < qubits; q++) b.CZ(q, q + 1);
        }
        return b.Build();
    }

    /// <summary>
    /// Any circuit as a layer: L copies of <paramref name="layer"/> in sequence, each with its own parameters (copy l
    /// renames parameter "a" to "a@l"; data inputs are shared), p = L·p_layer. The family ignores n (it must be the
    /// layer's qubit count), so a scan over it varies the depth only.
    /// </summary>
    /// <exception cref="ArgumentException">A layer without parameters.</exception>
    public static Func<int, int, Circuit> Repeated(Circuit layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.ParameterCount == 0) throw new ArgumentException("the layer has no trainable parameters.", nameof(layer));
        return (qubits, layers) =>
        {
            if (qubits != layer.QubitCount) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; the layer has {layer.QubitCount} qubits.");
            if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
            int p = layer.ParameterCount;
            var ops = new List<Operation>(layer.Operations.Length * layers);
            for (int l = 0; l < layers; l++)
            {
                int shift = l * p;
                foreach (var op in layer.Operations)
                    ops.Add(op.WithAngles([.. op.Angles.Select(a => a.RemapVariables((k, j) => k == VariableKind.Parameter ? j + shift : j))]));
            }
            var names = Enumerable.Range(0, layers).SelectMany(l => layer.ParameterNames.Select(n => $"{n}@{l}"));
            return new Circuit(layer.QubitCount, ops, names, layer.InputNames);
        };
    }

    /// <summary>
    /// Any circuit as a block tiled over n qubits: the alternating layered ansatz of Cerezo, Sone, Volkoff, Cincio and
    /// Coles, "Cost function dependent barren plateaus", Nat. Commun. 12, 1791 (2021). The block acts on w qubits; layer
    /// l places copies of it on qubits s, s + 1, …, s + w − 1 for s = o_l, o_l + w, … while s + w ≤ n, with offset
    /// o_l = 0 on even layers and ⌊w/2⌋ on odd ones (a brick wall; copies that would pass qubit n − 1 are left out),
    /// each copy with its own parameters (copy c of layer l renames parameter "a" to "a@l.c"); data inputs are shared.
    /// A scan over this family varies the qubit count n (and the depth L) of any circuit file.
    /// </summary>
    /// <exception cref="ArgumentException">A block without parameters.</exception>
    /// <remarks>The returned function throws <see cref="ArgumentOutOfRangeException"/> for n below the block's width,
    /// n above <see cref="Circuit.MaxQubits"/>, or L below 1.</remarks>
    public static Func<int, int, Circuit> Tiled(Circuit block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.ParameterCount == 0) throw new ArgumentException("the block has no trainable parameters.", nameof(block));
        int w = block.QubitCount;
        return (qubits, layers) =>
        {
            if (qubits < w || qubits > Circuit.MaxQubits)
                throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: {w}..{Circuit.MaxQubits} (the block has {w} qubits).");
            if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
            int p = block.ParameterCount;
            var ops = new List<Operation>();
            var names = new List<string>();
            for (int l = 0; l < layers; l++)
            {
                int offset = l % 2 == 0 ? 0 : w / 2;
                for (int start = offset, copy = 0; start + w <= qubits; start += w, copy++)
                {
                    int shift = names.Count;
                    foreach (var op in block.Operations)
                        ops.Add(op.MapQubits(q => q + start).WithAngles([.. op.Angles.Select(a => a.RemapVariables((k, j) => k == VariableKind.Parameter ? j + shift : j))]));
                    names.AddRange(block.ParameterNames.Select(n => $"{n}@{l}.{copy}"));
                }
            }
            Debug.Assert(names.Count % p == 0);
            return new Circuit(qubits, ops, names, block.InputNames);
        };
    }

    /// <summary>The family by name: "hea" (<see cref="HardwareEfficient"/>) or "reuploading" (<see cref="DataReuploading"/>, 2 inputs).</summary>
    /// <exception cref="ArgumentException">Another name.</exception>
    public static Func<int, int, Circuit> ByName(string name) => name switch
    {
        "hea" => HardwareEfficient,
        "reuploading" => (n, l) => DataReuploading(n, l),
        _ => throw new ArgumentException($"unknown circuit family '{name}'; allowed: hea, reuploading.", nameof(name)),
    };

    private static void Check(int qubits, int layers)
    {
        if (qubits < 1 || qubits > Circuit.MaxQubits) throw new ArgumentOutOfRangeException(nameof(qubits), qubits, $"qubits = {qubits} is out of range; allowed: 1..{Circuit.MaxQubits}.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, $"layers = {layers} is out of range; allowed: at least 1.");
    }
}
