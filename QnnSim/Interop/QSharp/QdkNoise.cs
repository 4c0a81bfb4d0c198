using System.Collections.Immutable;
using System.Text.Json.Nodes;
using QnnSim.Noise;

namespace QnnSim.Interop;

/// <summary>
/// The shot results of a Q# program run in the QDK's noisy simulator (<see cref="QdkNoise.RunWithNoise"/>): each
/// distinct return value with the number of shots that returned it.
/// </summary>
/// <param name="Shots">Shots requested.</param>
/// <param name="Counts">Return values as the QDK displays them (e.g. <c>[Zero, One]</c>, <c>(One, 3)</c>) and their shot
/// counts; they add up to <paramref name="Shots"/> − <paramref name="Failures"/>.</param>
/// <param name="Failures">Shots that failed at run time (a Q# <c>fail</c>, for example); they return no value.</param>
/// <param name="FirstFailure">The message of the first failed shot, or null.</param>
public sealed record QdkNoisyRunResult(int Shots, ImmutableSortedDictionary<string, int> Counts, int Failures, string? FirstFailure)
{
    /// <summary>
    /// The counts keyed by measurement outcomes: a string with one character per <c>Result</c> in the return value, in
    /// the order the program returns them ('0' for <c>Zero</c>, '1' for <c>One</c>), so character k is result k (for
    /// a program ending in <c>MResetEachZ(qs)</c>, character k is qubit <c>qs[k]</c>; QnnSim's
    /// <see cref="Circuits.Circuit.MeasuredQubits"/>[k] for the circuit it compiles from the program).
    /// </summary>
    /// <exception cref="InvalidOperationException">A return value is not made of <c>Result</c>s only (e.g. an Int or a Bool).</exception>
    public ImmutableSortedDictionary<string, int> OutcomeCounts()
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        foreach (var (text, count) in Counts)
        {
            string bits = ResultBits(text);
            builder[bits] = builder.GetValueOrDefault(bits) + count;
        }
        return builder.ToImmutable();
    }

    /// <summary>The fraction of successful shots whose outcome (see <see cref="OutcomeCounts"/>) is <paramref name="bits"/>.</summary>
    public double Probability(string bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        int total = Shots - Failures;
        return total == 0 ? double.NaN : (double)OutcomeCounts().GetValueOrDefault(bits) / total;
    }

    /// <summary>Reads a displayed value made of Results ("[Zero, One]", "(One, Zero)", "One") as '0'/'1' characters.</summary>
    /// <exception cref="InvalidOperationException">The value holds something other than Zero and One.</exception>
    public static string ResultBits(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Split(['[', ']', '(', ')', ',', ' '], StringSplitOptions.RemoveEmptyEntries);
        var chars = new char[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
            chars[i] = tokens[i] switch
            {
                "Zero" => '0',
                "One" => '1',
                _ => throw new InvalidOperationException($"the QDK returned '{text}', which is not made of Results only (Zero, One): '{tokens[i]}' at position {i}."),
            };
        return new string(chars);
    }
}

/// <summary>
/// Microsoft's QDK noisy simulator (qsharp-lang's <c>runWithNoise</c>, the sparse simulator with Pauli noise), driven
/// through the shared <see cref="QdkWorker"/>: QnnSim's reference for <see cref="NoiseModel.QdkPauli"/>.
/// </summary>
/// <remarks>
/// The QDK's model, as established with the QDK itself (docs/noise.md, "The QDK's model"): after every intrinsic gate
/// (h, x, y, z, s, s†, t, t†, sx, rx, ry, rz, rxx, ryy, rzz, cx, cy, cz, ccx, swap), on each qubit it touches,
/// independently, X with probability p_x, Y with p_y, Z with p_z; before every measurement (M, MResetZ, and the
/// measurement inside Reset) the same channel on the measured qubit's state. Gates the Q# library decomposes (R1,
/// controlled rotations, Controlled H, Exp, Adjoint SX, …) get one round per intrinsic of their decomposition;
/// I and the global phase get none. The QDK's simulator is seeded from entropy: its shots are not reproducible.
/// </remarks>
public static class QdkNoise
{
    /// <summary>The most shots one request may ask for.</summary>
    public const int MaxShots = 10_000_000;

    /// <summary>
    /// Runs a Q# program <paramref name="shots"/> times in the QDK's simulator with Pauli noise (p_x, p_y, p_z) and
    /// tallies its return values.
    /// </summary>
    /// <param name="compiler">The compiler whose worker runs the program.</param>
    /// <param name="source">The Q# source.</param>
    /// <param name="px">Probability of an X error.</param>
    /// <param name="py">Probability of a Y error.</param>
    /// <param name="pz">Probability of a Z error.</param>
    /// <param name="shots">Number of runs, 1..<see cref="MaxShots"/>.</param>
    /// <param name="entry">An entry expression such as <c>Main()</c> (the source's namespaces are open; its value is each
    /// shot's result); null: the source's own entry point.</param>
    /// <param name="sourceName">File name for error messages.</param>
    /// <exception cref="ArgumentOutOfRangeException">A probability that is not finite or outside [0, 1], a sum above 1, or
    /// <paramref name="shots"/> outside 1..<see cref="MaxShots"/>.</exception>
    /// <exception cref="ParseException">A Q# compile error.</exception>
    /// <exception cref="QdkException">Every shot failed at run time (the message is the first failure's).</exception>
    /// <exception cref="QdkUnavailableException">Node.js or the compiler package is missing.</exception>
    public static QdkNoisyRunResult RunWithNoise(this QSharpCompiler compiler, string source, double px, double py, double pz, int shots,
        string? entry = null, string sourceName = "Program.qs")
    {
        ArgumentNullException.ThrowIfNull(compiler);
        ArgumentNullException.ThrowIfNull(source);
        _ = NoiseChannel.Pauli(px, py, pz); // validates the probabilities with the library's messages
        if (shots < 1 || shots > MaxShots) ThrowHelper.ArgumentOutOfRange(nameof(shots), shots, $"1..{MaxShots} shots");
        // The entry (if any) is the run's expression, so its value (the shot's result) is kept.
        var sources = QSharpCompiler.Sources(source, null, sourceName, null);
        string expr = string.IsNullOrWhiteSpace(entry) ? "" : QSharpCompiler.ValueEntryExpression(source, sourceName, entry);
        var answer = compiler.Call(sourceName, source, new JsonObject
        {
            ["cmd"] = "noisy-run", ["expr"] = expr, ["sources"] = sources, ["shots"] = shots, ["noise"] = new JsonArray(px, py, pz), ["qubitLoss"] = 0.0,
        });
        var counts = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        if (answer["counts"] is JsonObject c)
            foreach (var (text, n) in c)
                counts[text] = n!.GetValue<int>();
        return new QdkNoisyRunResult(shots, counts.ToImmutable(), answer["failures"]?.GetValue<int>() ?? 0, answer["firstFailure"]?.GetValue<string>());
    }
}
