namespace QnnSim.Simulation;

/// <summary>
/// The floating-point precision of state-vector amplitudes, chosen per simulator with
/// <see cref="SimulationOptions.Precision"/> (qsim's float simulators, Qulacs' and QuEST's single-precision builds,
/// PennyLane-Lightning's complex64 devices).
/// </summary>
/// <remarks>
/// <para><see cref="Single"/> stores complex64 amplitudes (8 bytes instead of 16): half the memory, so one more qubit
/// fits (30 qubits in 8 GiB), and memory-bound gates move half the bytes. Gate matrices are computed in double and
/// rounded to float once per (fused) step; each step then rounds every amplitude it writes with unit roundoff
/// u = 2^−24 ≈ 6e-8, so after G steps the state carries an error of order √G·u in a typical random circuit and at
/// most G·u·c (c a small constant) in the worst case: about 1e-6 for a thousand gates. Expectations, norms,
/// probabilities and inner products are accumulated in double from the complex64 amplitudes, so a readout adds no
/// error of its own beyond the state's. Tested against double precision on random circuits: expectations within 1e-5
/// at n = 20 (QnnSim.Tests, SinglePrecisionTests).</para>
/// <para>Supported in single precision: <see cref="Simulator.Run"/>, <see cref="Simulator.Apply"/>,
/// <see cref="Simulator.ApplyPauli"/>, <see cref="Simulator.Expectation(State.StateVector, Observables.PauliSum)"/>,
/// <see cref="Simulator.Sample"/> and <see cref="Simulator.EstimateExpectation"/>. Gradients, density matrices and
/// trajectories run in double precision; they refuse a single-precision simulator or state with
/// <see cref="NotSupportedException"/>.</para>
/// </remarks>
public enum Precision
{
    /// <summary>complex128 amplitudes (two doubles; unit roundoff 2^−53 ≈ 1.1e-16). The default.</summary>
    Double = 0,

    /// <summary>complex64 amplitudes (two floats; unit roundoff 2^−24 ≈ 6e-8), accumulated in double for readouts.</summary>
    Single = 1,
}
