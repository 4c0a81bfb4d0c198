using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using QnnSim.Observables;
using QnnSim.State;

namespace QnnSim.Analysis;

/// <summary>
/// A dedicated, allocation-free evaluator of a <see cref="PaperModel"/> on m pure inputs: outputs
/// ŷ_i = ⟨ψ_i|U(θ)† γP U(θ)|ψ_i⟩ and the Jacobian ∂ŷ_i/∂θ_l, with dense d × d products instead of a general circuit.
/// </summary>
/// <remarks>
/// <para>Algorithm (the adjoint method with stored forward states, docs/theory.md §1): per sample, the forward sweep
/// stores b_l = e^{−iθ_l H} W_l ⋯ e^{−iθ_1 H} W_1 |ψ⟩ for l = 1..p (p·d amplitudes), then the co-state
/// λ = M0 U|ψ⟩ is walked backwards, λ ← W_{l+1}† λ, giving ∂ŷ/∂θ_l = 2 Im⟨λ|H|b_l⟩, then λ ← e^{+iθ_l H} λ.
/// A pass costs 2p + 1 dense matrix–vector products (split real/imaginary storage, 256-bit SIMD when d is a
/// multiple of 4). The fixed eigenbasis V of H (H = V D V†, D = diag(±1)) is folded into the stored matrices
/// (W̃_1 = V†W_1, W̃_l = V†W_l V, W̃_{p+1} = W_{p+1}V), so each gate e^{−iθH} is the diagonal phase
/// cos θ − i sin θ D_k and ∂ŷ/∂θ_l = 2 Im⟨λ|D|b_l⟩ in that basis.</para>
/// <para>Agrees with the general Differentiator path on <see cref="PaperModel.ToCircuit"/> to ~1e-12 (tested).
/// Not thread-safe (owns its buffers).</para>
/// </remarks>
public sealed class PaperModelEngine : IModelEvaluator
{
    private readonly int _d, _p, _m;
    private readonly double _gamma;
    // W_l column-major, real and imaginary parts: element (r, c) of layer l at l·d² + c·d + r.
    private readonly double[] _wRe, _wIm;
    // W_l† column-major likewise.
    private readonly double[] _wdRe, _wdIm;
    private readonly int[] _hSource, _pSource;
    private readonly double[] _hPhaseRe, _hPhaseIm, _pPhaseRe, _pPhaseIm;
    private readonly double[] _inRe, _inIm; // m·d
    private readonly double[] _fwdRe, _fwdIm; // p·d
    private readonly double[] _xRe, _xIm, _yRe, _yIm, _tRe, _tIm;
    private readonly double[] _cos, _sin;
    private readonly double[] _diag; // eigenvalues ±1 of H in the basis V

    /// <summary>Creates the engine for <paramref name="model"/> on the pure inputs |ψ_i⟩.</summary>
    /// <exception cref="ArgumentException">No inputs, or an input on a different number of qubits.</exception>
    public PaperModelEngine(PaperModel model, IReadOnlyList<StateVector> inputs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new ArgumentException("at least one input state is required.", nameof(inputs));
        Model = model;
        _d = model.Dimension;
        _p = model.LayerCount;
        _m = inputs.Count;
        _gamma = model.Gamma;
        int d = _d, d2 = d * d;
        _wRe = new double[(_p + 1) * d2];
        _wIm = new double[(_p + 1) * d2];
        _wdRe = new double[(_p + 1) * d2];
        _wdIm = new double[(_p + 1) * d2];
        (_hSource, _hPhaseRe, _hPhaseIm) = PauliTable(model.Generator, d);
        var (v, diag) = GeneratorEigenbasis(model.Generator, d, _hSource, _hPhaseRe, _hPhaseIm);
        _diag = diag;
        bool identityBasis = model.Generator.IsDiagonal;
        var tmp = new Complex[d2];
        for (int l = 0; l <= _p; l++)
        {
            // W̃_1 = V† W_1, W̃_l = V† W_l V, W̃_{p+1} = W_{p+1} V: the gates e^{−iθH} = V e^{−iθD} V† become diagonal.
            var w = model.Unitaries[l].Elements;
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                {
                    Complex z = 0;
                    if (l == 0 || identityBasis) z = w[r * d + c];
                    else for (int k = 0; k < d; k++) z += w[r * d + k] * v[k * d + c];
                    tmp[r * d + c] = z;
                }
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                {
                    Complex z = 0;
                    if (l == _p || identityBasis) z = tmp[r * d + c];
                    else for (int k = 0; k < d; k++) z += Complex.Conjugate(v[k * d + r]) * tmp[k * d + c];
                    _wRe[l * d2 + c * d + r] = z.Real;
                    _wIm[l * d2 + c * d + r] = z.Imaginary;
                    // (W̃†)_{c r} = conj(W̃_{r c}): column r of W̃† holds the conjugate of row r of W̃.
                    _wdRe[l * d2 + r * d + c] = z.Real;
                    _wdIm[l * d2 + r * d + c] = -z.Imaginary;
                }
        }
        (_pSource, _pPhaseRe, _pPhaseIm) = PauliTable(model.Readout, d);
        _inRe = new double[_m * d];
        _inIm = new double[_m * d];
        for (int i = 0; i < _m; i++)
        {
            var s = inputs[i] ?? throw new ArgumentNullException(nameof(inputs), $"input {i} is null.");
            if (s.QubitCount != model.QubitCount)
                throw new QubitCountMismatchException($"input {i} has {s.QubitCount} qubits, but the model has {model.QubitCount}.", nameof(inputs));
            var a = s.Amplitudes;
            for (int k = 0; k < d; k++)
            {
                _inRe[i * d + k] = a[k].Real;
                _inIm[i * d + k] = a[k].Imaginary;
            }
        }
        _fwdRe = new double[_p * d];
        _fwdIm = new double[_p * d];
        _xRe = new double[d]; _xIm = new double[d];
        _yRe = new double[d]; _yIm = new double[d];
        _tRe = new double[d]; _tIm = new double[d];
        _cos = new double[_p];
        _sin = new double[_p];
    }

    /// <summary>The model.</summary>
    public PaperModel Model { get; }

    /// <inheritdoc/>
    public int SampleCount => _m;

    /// <inheritdoc/>
    public int ParameterCount => _p;

    /// <summary>P|k⟩ = phase_k |k ⊕ x⟩ tabulated as (P ψ)_k = phase'_k ψ_{src_k}.</summary>
    private static (int[] Source, double[] Re, double[] Im) PauliTable(PauliString p, int d)
    {
        var src = new int[d];
        var re = new double[d];
        var im = new double[d];
        int x = (int)p.XMask, z = (int)p.ZMask, y = p.YCount;
        for (int k = 0; k < d; k++)
        {
            int j = k ^ x; // (Pψ)_k = Σ_j P_kj ψ_j with P|j⟩ = i^y (−1)^{|j∧z|} |j⊕x⟩, so j = k ⊕ x
            int power = (y + 2 * (BitOperations.PopCount((uint)(j & z)) & 1)) & 3;
            src[k] = j;
            (re[k], im[k]) = power switch { 0 => (1.0, 0.0), 1 => (0.0, 1.0), 2 => (-1.0, 0.0), _ => (0.0, -1.0) };
        }
        return (src, re, im);
    }

    /// <inheritdoc/>
    /// <remarks>Throws before any work on a wrong length; allocation-free.</remarks>
    public void Evaluate(ReadOnlySpan<double> parameters, Span<double> outputs, Span<double> jacobian)
    {
        if (parameters.Length != _p) throw new ArgumentException($"the parameter vector θ has length {parameters.Length}, but {_p} are required.", nameof(parameters));
        if (outputs.Length != _m) throw new ArgumentException($"the output span has length {outputs.Length}, but {_m} are required.", nameof(outputs));
        if (!jacobian.IsEmpty && jacobian.Length != _m * _p) throw new ArgumentException($"the Jacobian span has length {jacobian.Length}, but {_m * _p} (m·p) are required.", nameof(jacobian));
        for (int l = 0; l < _p; l++)
        {
            if (!double.IsFinite(parameters[l])) throw new ArgumentOutOfRangeException(nameof(parameters), parameters[l], $"θ_{l} = {parameters[l]}; a finite real number is required.");
            (_sin[l], _cos[l]) = Math.SinCos(parameters[l]);
        }
        for (int i = 0; i < _m; i++)
            outputs[i] = EvaluateSample(i, jacobian.IsEmpty ? default : jacobian.Slice(i * _p, _p));
    }

    private double EvaluateSample(int sample, Span<double> gradient)
    {
        int d = _d, d2 = d * d;
        Span<double> xr = _xRe, xi = _xIm, yr = _yRe, yi = _yIm;
        ReadOnlySpan<double> sr = _inRe.AsSpan(sample * d, d), si = _inIm.AsSpan(sample * d, d);
        for (int l = 0; l < _p; l++)
        {
            MatVec(_wRe.AsSpan(l * d2, d2), _wIm.AsSpan(l * d2, d2), sr, si, yr, yi, d);
            var br = _fwdRe.AsSpan(l * d, d);
            var bi = _fwdIm.AsSpan(l * d, d);
            DiagonalPhase(_cos[l], _sin[l], _diag, yr, yi, br, bi); // b_l = e^{−iθD} W̃_l b_{l−1}
            sr = br;
            si = bi;
        }
        MatVec(_wRe.AsSpan(_p * d2, d2), _wIm.AsSpan(_p * d2, d2), sr, si, yr, yi, d);
        // λ = γ P ψ_out into x; ŷ = Re⟨ψ_out|λ⟩.
        double value = 0;
        for (int k = 0; k < d; k++)
        {
            int j = _pSource[k];
            double ar = yr[j], ai = yi[j], pr = _pPhaseRe[k], pi = _pPhaseIm[k];
            double lr = _gamma * (pr * ar - pi * ai), li = _gamma * (pr * ai + pi * ar);
            xr[k] = lr; xi[k] = li;
            value += yr[k] * lr + yi[k] * li;
        }
        if (gradient.IsEmpty) return value;
        for (int l = _p - 1; l >= 0; l--)
        {
            int o = (l + 1) * d2;
            MatVec(_wdRe.AsSpan(o, d2), _wdIm.AsSpan(o, d2), xr, xi, yr, yi, d); // y = λ_l
            // ∂ŷ/∂θ_l = 2 Im⟨λ|D|b⟩ = 2 Σ_k D_k (λr_k bi_k − λi_k br_k)
            gradient[l] = 2 * DiagonalImaginaryDot(_diag, yr, yi, _fwdRe.AsSpan(l * d, d), _fwdIm.AsSpan(l * d, d));
            if (l > 0) DiagonalPhase(_cos[l], -_sin[l], _diag, yr, yi, xr, xi); // λ ← e^{+iθD} λ
        }
        return value;
    }

    /// <summary>dst ← e^{−iθD} src with D = diag(±1): dst_k = (cos θ − i sin θ D_k) src_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DiagonalPhase(double c, double s, ReadOnlySpan<double> diag, ReadOnlySpan<double> srcRe, ReadOnlySpan<double> srcIm,
        Span<double> dstRe, Span<double> dstIm)
    {
        int d = diag.Length, k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vc = Vector256.Create(c);
            var vs = Vector256.Create(s);
            for (; k + 4 <= d; k += 4)
            {
                var sd = vs * Vector256.Create(diag.Slice(k, 4));
                var ar = Vector256.Create(srcRe.Slice(k, 4));
                var ai = Vector256.Create(srcIm.Slice(k, 4));
                Vector256.FusedMultiplyAdd(vc, ar, sd * ai).CopyTo(dstRe.Slice(k, 4));
                Vector256.FusedMultiplyAdd(vc, ai, -(sd * ar)).CopyTo(dstIm.Slice(k, 4));
            }
        }
        for (; k < d; k++)
        {
            double sd = s * diag[k];
            double ar = srcRe[k], ai = srcIm[k];
            dstRe[k] = c * ar + sd * ai;
            dstIm[k] = c * ai - sd * ar;
        }
    }

    /// <summary>Σ_k D_k (λr_k bi_k − λi_k br_k) = Im⟨λ|D|b⟩.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double DiagonalImaginaryDot(ReadOnlySpan<double> diag, ReadOnlySpan<double> lr, ReadOnlySpan<double> li,
        ReadOnlySpan<double> br, ReadOnlySpan<double> bi)
    {
        int d = diag.Length, k = 0;
        double g = 0;
        if (Vector256.IsHardwareAccelerated && d >= 4)
        {
            var acc = Vector256<double>.Zero;
            for (; k + 4 <= d; k += 4)
            {
                var t = Vector256.Create(lr.Slice(k, 4)) * Vector256.Create(bi.Slice(k, 4)) - Vector256.Create(li.Slice(k, 4)) * Vector256.Create(br.Slice(k, 4));
                acc = Vector256.FusedMultiplyAdd(Vector256.Create(diag.Slice(k, 4)), t, acc);
            }
            g = Vector256.Sum(acc);
        }
        for (; k < d; k++) g += diag[k] * (lr[k] * bi[k] - li[k] * br[k]);
        return g;
    }

    /// <summary>
    /// An orthonormal eigenbasis V (row-major, columns are eigenvectors) of a Pauli string H and its eigenvalues ±1.
    /// Diagonal H: V = I. Otherwise, with t the lowest bit of H's X mask, for each k with bit t clear the pair
    /// (e_k ± H e_k)/√2 spans {e_k, e_{k⊕x}} and has eigenvalues ±1 (H e_k = phase · e_{k⊕x}, H² = I).
    /// </summary>
    private static (Complex[] V, double[] Diag) GeneratorEigenbasis(PauliString h, int d, int[] src, double[] phRe, double[] phIm)
    {
        var v = new Complex[d * d];
        var diag = new double[d];
        int x = (int)h.XMask;
        if (x == 0)
        {
            for (int k = 0; k < d; k++)
            {
                v[k * d + k] = Complex.One;
                diag[k] = phRe[k]; // diagonal H: (H e_k)_k = phase_k = ±1
            }
            return (v, diag);
        }
        int t = x & -x;
        int col = 0;
        double s = 1 / Math.Sqrt(2);
        for (int k = 0; k < d; k++)
        {
            if ((k & t) != 0) continue;
            int j = k ^ x;
            var ph = new Complex(phRe[j], phIm[j]); // H e_k = ph · e_j
            v[k * d + col] = s; v[j * d + col] = s * ph; diag[col] = 1; col++;
            v[k * d + col] = s; v[j * d + col] = -s * ph; diag[col] = -1; col++;
        }
        return (v, diag);
    }

    /// <summary>y ← A x for a column-major d × d complex A stored as split parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MatVec(ReadOnlySpan<double> aRe, ReadOnlySpan<double> aIm, ReadOnlySpan<double> xRe, ReadOnlySpan<double> xIm,
        Span<double> yRe, Span<double> yIm, int d)
    {
        if (Vector256.IsHardwareAccelerated && d == 8)
        {
            MatVec8(aRe, aIm, xRe, xIm, yRe, yIm);
            return;
        }
        if (Vector256.IsHardwareAccelerated && (d & 3) == 0)
        {
            ref double ar0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(aRe);
            ref double ai0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(aIm);
            for (int b = 0; b < d; b += 4)
            {
                var accR = Vector256<double>.Zero;
                var accI = Vector256<double>.Zero;
                for (int k = 0; k < d; k++)
                {
                    var vr = Vector256.Create(xRe[k]);
                    var vi = Vector256.Create(xIm[k]);
                    nuint o = (nuint)(k * d + b);
                    var cr = Vector256.LoadUnsafe(ref ar0, o);
                    var ci = Vector256.LoadUnsafe(ref ai0, o);
                    accR = Vector256.FusedMultiplyAdd(cr, vr, accR);
                    accR = Vector256.FusedMultiplyAdd(-ci, vi, accR);
                    accI = Vector256.FusedMultiplyAdd(cr, vi, accI);
                    accI = Vector256.FusedMultiplyAdd(ci, vr, accI);
                }
                accR.CopyTo(yRe.Slice(b, 4));
                accI.CopyTo(yIm.Slice(b, 4));
            }
            return;
        }
        for (int r = 0; r < d; r++)
        {
            double sr = 0, si = 0;
            for (int k = 0; k < d; k++)
            {
                double cr = aRe[k * d + r], ci = aIm[k * d + r];
                sr += cr * xRe[k] - ci * xIm[k];
                si += cr * xIm[k] + ci * xRe[k];
            }
            yRe[r] = sr;
            yIm[r] = si;
        }
    }

    /// <summary>d = 8 (three qubits, the theory's test case): both row blocks in registers, one pass over the columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MatVec8(ReadOnlySpan<double> aRe, ReadOnlySpan<double> aIm, ReadOnlySpan<double> xRe, ReadOnlySpan<double> xIm,
        Span<double> yRe, Span<double> yIm)
    {
        ref double ar = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(aRe);
        ref double ai = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(aIm);
        ref double xr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(xRe);
        ref double xi = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(xIm);
        Vector256<double> r0 = default, r1 = default, i0 = default, i1 = default;
        for (nuint k = 0; k < 8; k++)
        {
            var vr = Vector256.Create(Unsafe.Add(ref xr, k));
            var vi = Vector256.Create(Unsafe.Add(ref xi, k));
            nuint o = k * 8;
            var c0r = Vector256.LoadUnsafe(ref ar, o);
            var c1r = Vector256.LoadUnsafe(ref ar, o + 4);
            var c0i = Vector256.LoadUnsafe(ref ai, o);
            var c1i = Vector256.LoadUnsafe(ref ai, o + 4);
            r0 = Vector256.FusedMultiplyAdd(c0r, vr, r0);
            r1 = Vector256.FusedMultiplyAdd(c1r, vr, r1);
            i0 = Vector256.FusedMultiplyAdd(c0r, vi, i0);
            i1 = Vector256.FusedMultiplyAdd(c1r, vi, i1);
            r0 = Vector256.FusedMultiplyAdd(-c0i, vi, r0);
            r1 = Vector256.FusedMultiplyAdd(-c1i, vi, r1);
            i0 = Vector256.FusedMultiplyAdd(c0i, vr, i0);
            i1 = Vector256.FusedMultiplyAdd(c1i, vr, i1);
        }
        ref double yr = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(yRe);
        ref double yi = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(yIm);
        r0.StoreUnsafe(ref yr);
        r1.StoreUnsafe(ref yr, 4);
        i0.StoreUnsafe(ref yi);
        i1.StoreUnsafe(ref yi, 4);
    }

    /// <summary>The full unitary U(θ) as a row-major d × d array (column k is U|k⟩).</summary>
    /// <exception cref="ArgumentException">θ has the wrong length.</exception>
    public Complex[] Unitary(ReadOnlySpan<double> parameters)
    {
        if (parameters.Length != _p) throw new ArgumentException($"the parameter vector θ has length {parameters.Length}, but {_p} are required.", nameof(parameters));
        int d = _d, d2 = d * d;
        var u = new Complex[d2];
        var xr = new double[d]; var xi = new double[d]; var yr = new double[d]; var yi = new double[d];
        for (int col = 0; col < d; col++)
        {
            Array.Clear(xr); Array.Clear(xi);
            xr[col] = 1;
            for (int l = 0; l < _p; l++)
            {
                MatVec(_wRe.AsSpan(l * d2, d2), _wIm.AsSpan(l * d2, d2), xr, xi, yr, yi, d);
                var (s, c) = Math.SinCos(parameters[l]);
                DiagonalPhase(c, s, _diag, yr, yi, xr, xi);
            }
            MatVec(_wRe.AsSpan(_p * d2, d2), _wIm.AsSpan(_p * d2, d2), xr, xi, yr, yi, d);
            for (int r = 0; r < d; r++) u[r * d + col] = new Complex(yr[r], yi[r]);
        }
        return u;
    }

    /// <summary>The Heisenberg-picture readout M(θ) = U(θ)† M0 U(θ), M0 = γP, row-major d × d (docs/theory.md §1).</summary>
    public Complex[] HeisenbergReadout(ReadOnlySpan<double> parameters)
    {
        var u = Unitary(parameters);
        int d = _d;
        // P U: row k of P U = phase_k · row src_k of U.
        var pu = new Complex[d * d];
        for (int k = 0; k < d; k++)
        {
            var ph = new Complex(_pPhaseRe[k], _pPhaseIm[k]) * _gamma;
            for (int c = 0; c < d; c++) pu[k * d + c] = ph * u[_pSource[k] * d + c];
        }
        var m = new Complex[d * d];
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++)
            {
                Complex s = 0;
                for (int k = 0; k < d; k++) s += Complex.Conjugate(u[k * d + r]) * pu[k * d + c];
                m[r * d + c] = s;
            }
        return m;
    }
}
