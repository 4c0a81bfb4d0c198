using System.Runtime.CompilerServices;
using QnnSim.Circuits;
using QnnSim.Simulation;

namespace QnnSim.Gradients;

/// <summary>
/// Gate fusion for the backward sweep of the adjoint method: a maximal run of at least two constant operations between
/// parameterised ones is undone as one program, the inverse of the run (operations reversed, each inverted), which the
/// simulator runs through its fusion plan (one-qubit runs multiplied into one 2×2, a one-qubit block merged with a
/// following CX) on ψ and on each co-state, instead of step by step. A run is fused only when its plan has fewer items
/// than steps; a run the plan leaves as it is (a CX chain) stays step by step, which measured as fast or faster.
/// Depends only on the circuit, so it is built once per lowered program and shared between threads.
/// </summary>
internal sealed class BackwardPlan
{
    private static readonly ConditionalWeakTable<CircuitProgram, BackwardPlan> Plans = new();

    /// <summary>For the last step of a fused run: the index of the run's first step; −1 elsewhere.</summary>
    private readonly int[] _runStart;

    /// <summary>For the last step of a fused run: the program of the run's inverse.</summary>
    private readonly CircuitProgram?[] _inverse;

    private BackwardPlan(CircuitProgram program)
    {
        var steps = program.Steps;
        _runStart = new int[steps.Length];
        _inverse = new CircuitProgram?[steps.Length];
        Array.Fill(_runStart, -1);
        var circuit = program.Circuit;
        int s = 0;
        while (s < steps.Length)
        {
            if (steps[s].AngleSlot >= 0) { s++; continue; }
            // A run of steps without angles; it may only cut between operations (an operation lowers to consecutive steps).
            int start = s;
            while (s < steps.Length && steps[s].AngleSlot < 0) s++;
            int firstOp = steps[start].SourceOperation, lastOp = steps[s - 1].SourceOperation;
            if (start > 0 && steps[start - 1].SourceOperation == firstOp) firstOp++;
            if (s < steps.Length && steps[s].SourceOperation == lastOp) lastOp--;
            if (lastOp - firstOp < 1) continue;
            int runStart = start, runEnd = s - 1;
            while (steps[runStart].SourceOperation < firstOp) runStart++;
            while (steps[runEnd].SourceOperation > lastOp) runEnd--;
            var inverse = new List<Operation>(lastOp - firstOp + 1);
            for (int o = lastOp; o >= firstOp; o--) inverse.Add(circuit.Operations[o].Inverse());
            var run = new CircuitProgram(new Circuit(circuit.QubitCount, inverse, [], []));
            // Only where the fusion plan merges steps: a run of entanglers alone (the CX chain of a hardware-efficient
            // ansatz) runs as fast step by step (measured in `qnnsim bench --section gradients`).
            run.FusionPlan = Fusion.BuildPlan(run);
            if (run.FusionPlan.Items.Length >= run.Steps.Length) continue;
            _runStart[runEnd] = runStart;
            _inverse[runEnd] = run;
        }
    }

    /// <summary>The plan of <paramref name="program"/>, built on first use.</summary>
    public static BackwardPlan For(CircuitProgram program) => Plans.GetValue(program, p => new BackwardPlan(p));

    /// <summary>
    /// When step <paramref name="s"/> ends a fused run: true, the first step of the run and the program of its inverse.
    /// </summary>
    public bool TryGetRun(int s, out int runStart, out CircuitProgram inverse)
    {
        runStart = _runStart[s];
        inverse = _inverse[s]!;
        return runStart >= 0;
    }
}
