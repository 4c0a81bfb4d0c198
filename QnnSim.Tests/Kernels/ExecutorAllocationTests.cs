using QnnSim.Circuits;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Kernels;

/// <summary>No allocation per gate on the single-threaded path (counted bytes, not time).</summary>
[TestFixture]
public class ExecutorAllocationTests
{
    [TestCase(10)]
    [TestCase(16)]
    public void Apply_SingleThread_AllocatesNothing(int qubits)
    {
        var b = new CircuitBuilder(qubits);
        b.Ry(0, 0.3).Rz(qubits - 1, 0.7).CX(0, qubits - 1).H(qubits / 2).Rxx(1, qubits - 2, 0.4);
        var program = new CircuitProgram(b.Build());
        var angles = new double[program.AngleCount];
        program.BindAngles([], [], angles);
        var state = StateVector.Zero(qubits);
        var options = new SimulationOptions { MaxThreads = 1 };
        void RunAll()
        {
            foreach (var step in program.Steps)
                Executor.Apply(step, step.AngleSlot >= 0 ? angles[step.AngleSlot] : 0, state.AmplitudesMutable, options, inverse: false);
        }
        RunAll(); // warm-up: per-step coefficient caches are filled once
        // The smallest of three batches: the runtime occasionally allocates on the calling thread while it compiles
        // (static storage of a class first used by a method compiled on this thread), whereas an allocation per gate
        // shows in every batch.
        long allocated = long.MaxValue;
        for (int batch = 0; batch < 3; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int r = 0; r < 50; r++) RunAll();
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.That(allocated, Is.Zero, $"{allocated} bytes over 50 × {program.Steps.Length} gate applications");
    }
}
