using System.Diagnostics.CodeAnalysis;

namespace QnnSim;

/// <summary>
/// Small non-inlined throw helpers so that hot public methods stay small (the dotnet runtime's ThrowHelper habit).
/// Every message names the offending value and the allowed range.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void QubitOutOfRange(string paramName, int qubit, int qubitCount) =>
        throw new ArgumentOutOfRangeException(paramName, qubit,
            $"qubit {qubit} is out of range for a {qubitCount}-qubit {(qubitCount == 1 ? "register" : "register")} (0..{qubitCount - 1}).");

    [DoesNotReturn]
    public static void DuplicateQubit(string paramName, int qubit) =>
        throw new ArgumentException($"qubit {qubit} appears more than once in one gate (controls and targets must be distinct).", paramName);

    [DoesNotReturn]
    public static void LengthMismatch(string paramName, string what, int actual, int expected) =>
        throw new ArgumentException($"{what} has length {actual}, but {expected} {(expected == 1 ? "is" : "are")} required.", paramName);

    [DoesNotReturn]
    public static void NotFinite(string paramName, string what, double value) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"{what} is {value}; a finite real number is required.");

    [DoesNotReturn]
    public static void QubitCountMismatch(string paramName, string what, int actual, int expected) =>
        throw new QubitCountMismatchException($"{what} acts on {actual} qubits, but the state has {expected} (allowed: at most {expected}).", paramName);

    [DoesNotReturn]
    public static void ArgumentOutOfRange<T>(string paramName, T value, string allowed) =>
        throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} = {value} is out of range; allowed: {allowed}.");
}

/// <summary>
/// Raised when an observable, circuit or state disagree on the number of qubits, e.g. an observable on qubit 7
/// applied to a 5-qubit state.
/// </summary>
public sealed class QubitCountMismatchException : ArgumentException
{
    /// <summary>Creates the exception with a message and the name of the offending argument.</summary>
    public QubitCountMismatchException(string message, string? paramName) : base(message, paramName) { }
}

/// <summary>
/// Raised when a state vector would not fit in memory. Thrown before any allocation; the message gives the bytes
/// needed and the bytes available (the state's case of <see cref="NotEnoughMemoryException"/>).
/// </summary>
public sealed class InsufficientMemoryForStateException : NotEnoughMemoryException
{
    /// <summary>Creates the exception for a state vector.</summary>
    public InsufficientMemoryForStateException(int qubitCount, long bytesNeeded, long bytesAvailable)
        : base($"a {qubitCount}-qubit state vector", bytesNeeded, bytesAvailable)
    {
        QubitCount = qubitCount;
    }

    /// <summary>Creates the exception for a state of the kind <paramref name="what"/> ("density matrix"), with advice
    /// appended to the message.</summary>
    public InsufficientMemoryForStateException(int qubitCount, long bytesNeeded, long bytesAvailable, string what, string? advice)
        : base($"a {qubitCount}-qubit {what}", bytesNeeded, bytesAvailable,
            $"a {qubitCount}-qubit {what} needs {MemoryBudget.Describe(bytesNeeded)}, but only {MemoryBudget.Describe(bytesAvailable)} are available.{(advice is null ? "" : " " + advice)}")
    {
        QubitCount = qubitCount;
    }

    /// <summary>The requested number of qubits.</summary>
    public int QubitCount { get; }
}
