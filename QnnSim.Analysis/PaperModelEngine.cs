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
/// <para>Algorithm (the adjoint method with stored forward states, THEORY.md §1): per sample, the forward sweep
/// stores b_l = e^{−iθ_l H} W_l ⋯ e^{−iθ_1 H} W_1 |ψ⟩ for l = 1..p (p·d amplitudes), then the co-state
/// λ = M0 U|ψ⟩ is walked backwards, λ ← W_{l+1}† λ, giving ∂ŷ/∂θ_l = 2 Im⟨λ|H|b_l⟩, then λ ← e^{+iθ_l H} λ.
/// A pass costs 2p + 1 dense matrix–vector products (split real/imaginary storage, 256-bit SIMD when d is a
/// multiple of 4). e^{−iθH} = cos θ I − i sin θ H is applied through H's signed-permutation form
/// H|k⟩ = i^{#Y}(−1)^{|k∧z|}|k⊕x⟩.</para>
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
        for (int l = 0; l <= _p; l++)
        {
            var w = model.Unitaries[l].Elements;
            for (int r = 0; r < d; r++)
                for (int c = 0; c < d; c++)
                {
                    Complex z = w[r * d + c];
                    _wRe[l * d2 + c * d + r] = z.Real;
                    _wIm[l * d2 + c * d + r] = z.Imaginary;
                    // (W†)_{c r} = conj(W_{r c}): column r of W† holds conj of row r of W.
                    _wdRe[l * d2 + r * d + c] = z.Real;
                    _wdIm[l * d2 + r * d + c] = -z.Imaginary;
                }
        }
        (_hSource, _hPhaseRe, _hPhaseIm) = PauliTable(model.Generator, d);
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
        _inRe.AsSpan(sample * d, d).CopyTo(xr);
        _inIm.AsSpan(sample * d, d).CopyTo(xi);
        for (int l = 0; l < _p; l++)
        {
            MatVec(_wRe.AsSpan(l * d2, d2), _wIm.AsSpan(l * d2, d2), xr, xi, yr, yi, d);
            ApplyRotation(_cos[l], _sin[l], yr, yi, xr, xi); // x ← e^{−iθH} y
            xr.CopyTo(_fwdRe.AsSpan(l * d, d));
            xi.CopyTo(_fwdIm.AsSpan(l * d, d));
        }
        MatVec(_wRe.AsSpan(_p * d2, d2), _wIm.AsSpan(_p * d2, d2), xr, xi, yr, yi, d);
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
            var br = _fwdRe.AsSpan(l * d, d);
            var bi = _fwdIm.AsSpan(l * d, d);
            // 2 Im⟨λ|H|b⟩ = 2 Σ_k (λr (Hb)i − λi (Hb)r)
            double g = 0;
            for (int k = 0; k < d; k++)
            {
                int j = _hSource[k];
                double hr = _hPhaseRe[k] * br[j] - _hPhaseIm[k] * bi[j];
                double hi = _hPhaseRe[k] * bi[j] + _hPhaseIm[k] * br[j];
                g += yr[k] * hi - yi[k] * hr;
            }
            gradient[l] = 2 * g;
            if (l > 0) ApplyRotation(_cos[l], -_sin[l], yr, yi, xr, xi); // x ← e^{+iθH} y
        }
        return value;
    }

    /// <summary>dst ← (cos θ I − i sin θ H) src.</summary>
    private void ApplyRotation(double c, double s, ReadOnlySpan<double> srcRe, ReadOnlySpan<double> srcIm, Span<double> dstRe, Span<double> dstIm)
    {
        int d = _d;
        for (int k = 0; k < d; k++)
        {
            int j = _hSource[k];
            double hr = _hPhaseRe[k] * srcRe[j] - _hPhaseIm[k] * srcIm[j];
            double hi = _hPhaseRe[k] * srcIm[j] + _hPhaseIm[k] * srcRe[j];
            // −i s (hr + i hi) = s hi − i s hr
            dstRe[k] = c * srcRe[k] + s * hi;
            dstIm[k] = c * srcIm[k] - s * hr;
        }
    }

    /// <summary>y ← A x for a column-major d × d complex A stored as split parts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void MatVec(ReadOnlySpan<double> aRe, ReadOnlySpan<double> aIm, ReadOnlySpan<double> xRe, ReadOnlySpan<double> xIm,
        Span<double> yRe, Span<double> yIm, int d)
    {
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
                ApplyRotation(c, s, yr, yi, xr, xi);
            }
            MatVec(_wRe.AsSpan(_p * d2, d2), _wIm.AsSpan(_p * d2, d2), xr, xi, yr, yi, d);
            for (int r = 0; r < d; r++) u[r * d + col] = new Complex(yr[r], yi[r]);
        }
        return u;
    }

    /// <summary>The Heisenberg-picture readout M(θ) = U(θ)† M0 U(θ), M0 = γP, row-major d × d (THEORY.md §1).</summary>
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
