using QnnSim.Analysis;
using QnnSim.Observables;
using QnnSim.Tests.Analysis.Toolkit;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Memory;

/// <summary>
/// Training records grow with the step count the user asks for: the memory they would take is checked before the
/// run starts (issue 15, item 2), and the recorded-step list is never built when it would not fit.
/// </summary>
[TestFixture]
public class TrainingRecordMemoryTests
{
    public static IEnumerable<TestCaseData> Schedules()
    {
        foreach (var (name, schedule) in new (string, RecordSchedule)[]
                 {
                     ("log", RecordSchedule.Logarithmic()), ("log:1", RecordSchedule.Logarithmic(1)), ("log:200", RecordSchedule.Logarithmic(200)),
                     ("every:1", RecordSchedule.Every(1)), ("every:7", RecordSchedule.Every(7)), ("at", RecordSchedule.At([3, 5, 5, 40, 10_000])),
                 })
            yield return new TestCaseData(schedule).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(Schedules))]
    public void MaxCount_BoundsTheStepsListed(RecordSchedule schedule)
    {
        foreach (long total in new long[] { 0, 1, 2, 9, 10, 99, 100, 1000, 12_345, 100_000 })
        {
            long listed = schedule.Steps(total).Count;
            Assert.That(schedule.MaxCount(total), Is.GreaterThanOrEqualTo(listed), $"{schedule} over {total} steps");
            Assert.That(schedule.MaxCount(total), Is.LessThanOrEqualTo(total + 1), $"{schedule} over {total} steps: never more than every step");
        }
    }

    [Test]
    public void Steps_EveryStepOfTwoBillion_RefusedBeforeListing()
    {
        var e = Assert.Throws<NotEnoughMemoryException>(() => RecordSchedule.Every(1).Steps(2_000_000_000));
        Assert.That(e!.Message, Does.Contain("2000000001 recorded steps"));
        Assert.That(e.BytesNeeded, Is.GreaterThan(100_000_000_000L));
    }

    [Test]
    public void Train_RecordsThatWouldNotFit_RefusedBeforeTheFirstStep()
    {
        var circuit = TrainingTests.Reuploading;
        var data = ToyDatasets.TwoMoons(6, 0.1, seed: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0")).Bind(data);
        var theta0 = InitialParameters.Uniform(circuit.ParameterCount, 2);
        var options = new TrainingOptions { LearningRate = 0.05, Steps = 2_000_000_000, Record = RecordSchedule.Every(1) };
        var e = Assert.Throws<NotEnoughMemoryException>(() => GradientDescent.Train(model, data.LabelArray(), theta0, options));
        Assert.That(e!.Message, Does.Contain("training records").And.Contain("every:1 over 2000000000 steps"));

        // The same run with the default (logarithmic) schedule fits: about 190 records. It is not run here; the
        // check alone is asserted through a schedule that fits and a tiny budget that does not.
        using (MemoryBudget.OverrideAvailable(2L << 20))
            Assert.Throws<NotEnoughMemoryException>(() => GradientDescent.Train(model, data.LabelArray(), theta0, options with { Steps = 100_000, Record = RecordSchedule.Every(1) }));
    }

    [Test]
    public void Fit_RecordsThatWouldNotFit_RefusedBeforeTheFirstEpoch()
    {
        var circuit = TrainingTests.Reuploading;
        var data = ToyDatasets.TwoMoons(6, 0.1, seed: 1);
        var model = new QnnModel(circuit, PauliSum.Parse("Z0"));
        var theta0 = InitialParameters.Uniform(circuit.ParameterCount, 2);
        var options = new TrainerOptions { Optimizer = new OptimizerSettings { LearningRate = 0.1 }, Epochs = long.MaxValue / 2, RecordParameters = true };
        var e = Assert.Throws<NotEnoughMemoryException>(() => Trainer.Fit(model, data, theta0, options));
        Assert.That(e!.Message, Does.Contain("training records"));
    }

    [Test]
    public void Cli_TrainEveryStepOfTwoBillion_ExitsThreeNamingTheRecords()
    {
        using var files = new CliHarness();
        string circuit = files.Write("c.qasm", """
            OPENQASM 3.0;
            include "stdgates.inc";
            #pragma qnnsim inputs x
            input float[64] x;
            input float[64] w;
            qubit[1] q;
            ry(x) q[0];
            ry(w) q[0];
            """);
        string data = files.Write("d.csv", "x,label\n0.1,1\n0.7,-1\n");
        var o = CliHarness.Run("train", circuit, "--data", data, "--observable", "Z0", "--lr", "0.1", "--steps", "2000000000", "--record", "every:1");
        Assert.That(o.Code, Is.EqualTo(3), o.ToString());
        Assert.That(o.Err.Trim().Split('\n'), Has.Length.EqualTo(1), o.ToString());
        Assert.That(o.Err, Does.Contain("record").And.Contain("every:1 over 2000000000 steps").And.Contain("bytes").And.Contain("available"));
    }
}
