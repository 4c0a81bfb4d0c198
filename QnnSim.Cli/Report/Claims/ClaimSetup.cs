using QnnSim.Cli.Report.Physics;
using QnnSim.Randomness;

namespace QnnSim.Cli.Report.Claims;

/// <summary>Seeded construction of the paper's experiments: every draw comes from SeededRandom.ForStream(seed, stream).</summary>
internal static class ClaimSetup
{
    /// <summary>A distinct stream per (claim, layers, replicate), so results do not depend on the thread that runs them.</summary>
    public static ulong Stream(int claim, int layers, int replicate) => ((ulong)(uint)claim << 40) | ((ulong)(uint)layers << 16) | (uint)replicate;

    /// <summary>
    /// The paper's setting: m orthonormal Haar states labelled +1, −1, … (or the single label <paramref name="singleLabel"/>
    /// when m = 1), p layers of Haar W_l with generator Z_0, readout γ·Z_0, θ0 uniform on [0, 2π).
    /// </summary>
    public static (PaperModel Model, PureDataset Data, double[] Theta0) Paper(int qubits, int layers, double gamma, int samples,
        ulong seed, ulong stream, double singleLabel = 1)
    {
        var rng = SeededRandom.ForStream(seed, stream);
        var (re, im, y) = Haar.OrthonormalDataset(1 << qubits, samples, rng);
        if (samples == 1) y[0] = singleLabel;
        var model = new PaperModel(qubits, layers, gamma, rng);
        var theta = new double[layers];
        for (int l = 0; l < layers; l++) theta[l] = rng.NextDouble(0, 2 * Math.PI);
        return (model, new PureDataset(re, im, y), theta);
    }

    public static double[] Norms(IEnumerable<double[]> residuals) => residuals.Select(TrainingRecord.Norm).ToArray();
}
