using System.Numerics;
using QnnSim.Circuits;

namespace QnnSim.Interop;

/// <summary>
/// Exact decompositions shared by the OpenQASM, Q# and QIR writers: dense k-qubit unitaries into multi-controlled
/// one-qubit gates (two-level unitaries), and the square root of a one-qubit unitary for the Barenco et al. recursion.
/// </summary>
internal static class UnitaryDecomposition
{
    /// <summary>
    /// Exact decomposition of a dense k-qubit unitary (with the operation's own controls) into multi-controlled
    /// one-qubit unitaries, multi-controlled X gates and multi-controlled global phases, by Givens elimination into
    /// two-level unitaries (Nielsen &amp; Chuang, §4.5.1): G_K ⋯ G_1 M = D with D diagonal, so M = G_1† ⋯ G_K† D.
    /// A two-level unitary on basis states i and j is P† W P, where P (X gates controlled by one bit b0 where i and
    /// j differ) moves j next to i, and W is a one-qubit unitary on b0 controlled by every other bit at i's values.
    /// Returned in time order (D first).
    /// </summary>
    internal static List<Operation> TwoLevel(Operation op)
    {
        var matrix = op.Matrix!;
        int k = matrix.QubitCount, d = matrix.Dimension;
        var m = new Complex[d, d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
                m[r, c] = matrix[r, c];

        // Two-level factors G (in basis (i, j)) in the order they are found.
        var factors = new List<(int I, int J, Complex G00, Complex G01, Complex G10, Complex G11)>();
        for (int c = 0; c < d; c++)
        {
            for (int r = c + 1; r < d; r++)
            {
                Complex a = m[c, c], b = m[r, c];
                if (b == Complex.Zero) continue;
                double n = Math.Sqrt(a.Magnitude * a.Magnitude + b.Magnitude * b.Magnitude);
                Complex g00 = Complex.Conjugate(a) / n, g01 = Complex.Conjugate(b) / n, g10 = -b / n, g11 = a / n;
                for (int col = 0; col < d; col++)
                {
                    Complex x = m[c, col], y = m[r, col];
                    m[c, col] = g00 * x + g01 * y;
                    m[r, col] = g10 * x + g11 * y;
                }
                m[r, c] = Complex.Zero;
                factors.Add((c, r, g00, g01, g10, g11));
            }
        }

        var ops = new List<Operation>();
        var outerControls = op.Controls;
        var outerStates = op.ControlStates;
        Operation WithOuter(Operation inner) => outerControls.IsEmpty ? inner : inner.WithExtraControls(outerControls, outerStates);

        // D: a phase e^{iδ} on basis state t is gphase controlled by every target at t's bit values.
        for (int t = 0; t < d; t++)
        {
            double delta = m[t, t].Phase;
            if (delta == 0) continue;
            ops.Add(WithOuter(new Operation(GateKind.GlobalPhase, [], [Angle.Constant(delta)],
                [.. op.Targets], [.. Enumerable.Range(0, k).Select(bit => (t >> bit & 1) == 1)])));
        }

        // G_K†, …, G_1†.
        for (int f = factors.Count - 1; f >= 0; f--)
        {
            var (i, j, g00, g01, g10, g11) = factors[f];
            // The adjoint of G in basis (i, j).
            Complex h00 = Complex.Conjugate(g00), h01 = Complex.Conjugate(g10), h10 = Complex.Conjugate(g01), h11 = Complex.Conjugate(g11);
            int diff = i ^ j;
            int b0 = System.Numerics.BitOperations.TrailingZeroCount(diff);
            int jBit0 = j >> b0 & 1;
            var permutation = new List<Operation>();
            for (int bit = 0; bit < k; bit++)
            {
                if (bit == b0 || (diff >> bit & 1) == 0) continue;
                // Flip this bit of j (towards i) when bit b0 has j's value; i is untouched because its b0 differs.
                permutation.Add(WithOuter(new Operation(GateKind.X, [op.Targets[bit]], controls: [op.Targets[b0]], controlStates: [jBit0 == 1])));
            }
            // W on bit b0, controlled by every other bit at i's values; basis order (b0 = 0, b0 = 1).
            bool iIsZero = (i >> b0 & 1) == 0;
            var w = iIsZero ? new[] { h00, h01, h10, h11 } : new[] { h11, h10, h01, h00 };
            var controls = Enumerable.Range(0, k).Where(bit => bit != b0).ToArray();
            var wOp = new Operation(GateKind.Unitary, [op.Targets[b0]],
                controls: [.. controls.Select(bit => op.Targets[bit])],
                controlStates: [.. controls.Select(bit => (i >> bit & 1) == 1)],
                matrix: UnitaryMatrix.CreateTrusted(1, w));
            ops.AddRange(permutation);
            ops.Add(WithOuter(wOp));
            for (int p = permutation.Count - 1; p >= 0; p--) ops.Add(permutation[p]);
        }
        return ops;
    }

    /// <summary>
    /// A square root V of a 2×2 unitary U (row-major), V² = U exactly up to rounding. With U = e^{iα} W, W ∈ SU(2),
    /// W = cos(θ/2) I − i sin(θ/2) n·σ and the sign of W (that is, α mod 2π) chosen so that cos(θ/2) = Re tr W / 2 ≥ 0,
    /// the root cos(θ/4) I − i sin(θ/4) n·σ equals cos(θ/4) I + (W − cos(θ/2) I) / (2 cos(θ/4)), which is well
    /// conditioned because θ/2 ∈ [0, π/2] gives cos(θ/4) ≥ cos(π/4).
    /// </summary>
    internal static Complex[] SquareRoot(Complex[] u)
    {
        Complex det = u[0] * u[3] - u[1] * u[2];
        double alpha = det.Phase / 2;
        Complex phase = Complex.FromPolarCoordinates(1, -alpha);
        if ((u[0] * phase + u[3] * phase).Real < 0) { alpha += Math.PI; phase = -phase; }
        Complex[] w = [u[0] * phase, u[1] * phase, u[2] * phase, u[3] * phase];
        double c2 = Math.Clamp(0.5 * (w[0].Real + w[3].Real), -1, 1); // cos(θ/2) = Re tr W / 2
        double c4 = Math.Cos(Math.Acos(c2) / 2);
        Complex root = Complex.FromPolarCoordinates(1, alpha / 2);
        return
        [
            root * (c4 + (w[0] - c2) / (2 * c4)), root * (w[1] / (2 * c4)),
            root * (w[2] / (2 * c4)), root * (c4 + (w[3] - c2) / (2 * c4)),
        ];
    }

    /// <summary>The adjoint of a 2×2 matrix (row-major).</summary>
    internal static Complex[] Adjoint2(Complex[] u) =>
        [Complex.Conjugate(u[0]), Complex.Conjugate(u[2]), Complex.Conjugate(u[1]), Complex.Conjugate(u[3])];
}
