using QnnSim.Circuits;
using QnnSim.Interop.OpenQasmSyntax;

namespace QnnSim.Interop;

/// <summary>
/// OpenQASM 3 (and 2) reader and OpenQASM 3 writer for the unitary circuits with final measurements that quantum
/// neural networks use. See docs/openqasm.md for the supported language subset.
/// </summary>
/// <remarks>
/// <para>Reading: qubit registers are laid out consecutively in declaration order (the first declared register gets
/// the lowest qubit indices; qubit 0 is the least significant bit of a basis index). <c>input float[64] t;</c> and
/// <c>input angle t;</c> become trainable parameters named <c>t</c>; <c>input array[float[64], n] theta;</c> gives
/// <c>theta[0]</c> … <c>theta[n−1]</c>. A variable (or a whole array, or one element such as <c>x[2]</c>) named by a
/// <c>#pragma qnnsim inputs …</c> line or by <see cref="CircuitLoadOptions.InputNames"/> becomes a data input instead.
/// Angles are real numbers and never wrapped modulo 2π (as in Qiskit and PennyLane). Final measurements become
/// <see cref="Circuit.MeasuredQubits"/>; every other classical construct is refused.</para>
/// <para>The OpenQASM 3 specification: A. Cross et al., "OpenQASM 3: A broader and deeper quantum assembly language",
/// ACM Trans. Quantum Comput. 3, 12 (2022); OpenQASM 2: A. Cross et al., arXiv:1707.03429.</para>
/// </remarks>
public static class OpenQasm
{
    /// <summary>Parses OpenQASM text into a circuit.</summary>
    /// <param name="source">The program text.</param>
    /// <param name="sourceName">File name used in error messages.</param>
    /// <param name="options">Which input variables are data inputs (in addition to those a pragma names).</param>
    /// <returns>The circuit, with parameter and input names as declared.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="sourceName"/> is null.</exception>
    /// <exception cref="ParseException">Malformed or unsupported input, with file, line, column and what was expected.
    /// No other exception type escapes for any text.</exception>
    public static Circuit Parse(string source, string sourceName = "<input>", CircuitLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= new CircuitLoadOptions();
        try
        {
            var program = OpenQasmParser.ParseProgram(source, sourceName);
            return OpenQasmEvaluator.Evaluate(program, sourceName, options.InputNames ?? []);
        }
        catch (Exception ex) when (ex is not ParseException and not OutOfMemoryException)
        {
            // Safety net: the parser and evaluator report their own errors with positions; anything else is still
            // a problem with this text, so it leaves as the parse-error type.
            throw new ParseException(sourceName, 1, 1, OpenQasmEvaluator.Clean(ex), ex);
        }
    }

    /// <summary>Reads an OpenQASM file (see <see cref="Parse"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Which input variables are data inputs.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ParseException">Malformed or unsupported input.</exception>
    public static Circuit Load(string path, CircuitLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllText(path), path, options);
    }

    /// <summary>
    /// Writes a circuit as OpenQASM 3 that <see cref="Parse"/> reads back with the same parameter and input names and
    /// roles and the same action on every state (global phase included): trainable parameters and data inputs become
    /// <c>input float[64]</c> declarations (names of the form <c>name[i]</c> become <c>input array</c>s), the data
    /// inputs are listed in a <c>#pragma qnnsim inputs …</c> line, controls become <c>ctrl @</c> / <c>negctrl @</c>,
    /// Pauli rotations become one <c>gate</c> per Pauli pattern, one-qubit dense unitaries become
    /// <c>U(θ, φ, λ)</c> with <c>gphase</c>, dense unitaries on k = 2..10 qubits are decomposed exactly (global phase
    /// included) by the quantum Shannon decomposition into (3/4)·4^k − (3/2)·2^k CX, as many ry/rz and 4^{k−1}
    /// one-qubit unitaries (V. Shende, S. Bullock and I. Markov, "Synthesis of quantum-logic circuits", IEEE TCAD 25,
    /// 1000 (2006)), and final measurements become <c>c[i] = measure q[j];</c>.
    /// </summary>
    /// <param name="circuit">The circuit.</param>
    /// <returns>The program text.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="circuit"/> is null.</exception>
    /// <exception cref="NotSupportedException">A dense unitary on more than 10 qubits (the decomposition has
    /// (7/4)·4^k − 3·2^k gates; the message names k, the cap and the count; thrown before any text is produced), or a
    /// variable name that cannot be written as an OpenQASM identifier.</exception>
    public static string Write(Circuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return OpenQasmWriter.Write(circuit);
    }
}
