namespace QnnSim.Tests.Fuzzing;

/// <summary>
/// One reader under fuzzing: a function from text to a result, the exception types its documentation allows to
/// escape, a seed corpus and a dictionary of structural fragments for the mutator. A reader written elsewhere (the
/// noise-model JSON, the sweep specification) joins by adding one <see cref="FuzzTarget"/> to
/// <see cref="FuzzTargets.All"/>.
/// </summary>
/// <param name="Name">Short name: the folder of its regression files under Fuzzing/Regressions/ and the test case name.</param>
/// <param name="Read">The reader. Its result is ignored; only what escapes it matters.</param>
/// <param name="Documented">Exception types the reader documents (subclasses included); anything else is a bug.</param>
/// <param name="Seeds">The seed corpus: valid and near-valid texts.</param>
/// <param name="Fragments">Tokens and statement pieces the mutator inserts and repeats (structure awareness).</param>
public sealed record FuzzTarget(string Name, Action<string> Read, Type[] Documented, IReadOnlyList<string> Seeds, IReadOnlyList<string> Fragments)
{
    /// <summary>Whether <paramref name="e"/> is one of the documented exception types.</summary>
    public bool IsDocumented(Exception e) => Documented.Any(t => t.IsInstanceOfType(e));

    /// <inheritdoc/>
    public override string ToString() => Name;
}
