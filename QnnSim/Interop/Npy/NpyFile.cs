using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace QnnSim.Interop.Npy;

/// <summary>
/// Writes arrays in NumPy's <c>.npy</c> format (format version 1.0, or 2.0 when the header exceeds 65535 bytes), so
/// that <c>numpy.load("X.npy")</c> returns them with their shape: little-endian float64 (<c>'&lt;f8'</c>) or
/// complex128 (<c>'&lt;c16'</c>, the real part before the imaginary part), C order (row-major: the last index varies
/// fastest), whatever the byte order of the machine that writes them.
/// </summary>
/// <remarks>
/// Layout (NumPy Enhancement Proposal 1, "A simple file format for NumPy arrays", and numpy.lib.format): the magic
/// string <c>\x93NUMPY</c>, the major and minor version bytes, the header length (little-endian uint16 in 1.0, uint32
/// in 2.0), an ASCII header <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3, 4), }</c> padded with spaces
/// and ended by <c>\n</c> so that the data starts at a multiple of 64 bytes, then the raw elements.
/// Element a[i, j] of an r × c array is element i·c + j of the span written.
/// </remarks>
public static class NpyFile
{
    /// <summary>The data starts at a multiple of this many bytes (NumPy's own writer aligns to 64).</summary>
    public const int Alignment = 64;

    /// <summary>The six magic bytes every .npy file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes a float64 array of the given shape (C order) to a stream.</summary>
    /// <param name="stream">The destination (written from its current position).</param>
    /// <param name="data">The elements in C order; its length must be the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions (none for a scalar); each ≥ 0.</param>
    /// <exception cref="ArgumentException">A negative dimension, or a length that is not the product of the shape.</exception>
    public static void Write(Stream stream, ReadOnlySpan<double> data, params ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckShape(data.Length, shape);
        WriteHeader(stream, "<f8", shape);
        WriteLittleEndian(stream, data);
    }

    /// <summary>Writes a complex128 array of the given shape (C order; each element as real then imaginary part).</summary>
    /// <inheritdoc cref="Write(Stream, ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static void Write(Stream stream, ReadOnlySpan<Complex> data, params ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckShape(data.Length, shape);
        WriteHeader(stream, "<c16", shape);
        WriteLittleEndian(stream, MemoryMarshal.Cast<Complex, double>(data));
    }

    /// <summary>Writes a float64 array to a file (created or replaced).</summary>
    /// <inheritdoc cref="Write(Stream, ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    /// <param name="path">The file.</param>
    /// <param name="data">The elements in C order.</param>
    /// <param name="shape">The dimensions.</param>
    public static void Write(string path, ReadOnlySpan<double> data, params ReadOnlySpan<int> shape)
    {
        CheckShape(data.Length, shape);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        Write(stream, data, shape);
    }

    /// <summary>Writes a complex128 array to a file (created or replaced).</summary>
    /// <inheritdoc cref="Write(string, ReadOnlySpan{double}, ReadOnlySpan{int})"/>
    public static void Write(string path, ReadOnlySpan<Complex> data, params ReadOnlySpan<int> shape)
    {
        CheckShape(data.Length, shape);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        Write(stream, data, shape);
    }

    /// <summary>Writes a rectangular float64 matrix (shape rows × columns).</summary>
    /// <param name="path">The file (created or replaced).</param>
    /// <param name="matrix">The matrix; element [i, j] is a[i, j] in NumPy.</param>
    public static void Write(string path, double[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        int r = matrix.GetLength(0), c = matrix.GetLength(1);
        var flat = new double[r * c];
        Buffer.BlockCopy(matrix, 0, flat, 0, flat.Length * sizeof(double));
        Write(path, flat, r, c);
    }

    /// <summary>The ASCII header dictionary NumPy reads, without padding: <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (2, 3), }</c>.</summary>
    /// <param name="descr">The dtype string (<c>&lt;f8</c> or <c>&lt;c16</c>).</param>
    /// <param name="shape">The dimensions.</param>
    public static string HeaderDictionary(string descr, ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("{'descr': '").Append(descr).Append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        if (shape.Length == 1) sb.Append(','); // a one-element Python tuple
        return sb.Append("), }").ToString();
    }

    private static void CheckShape(int length, ReadOnlySpan<int> shape)
    {
        long product = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"array dimension {d} is negative; dimensions must be ≥ 0.", nameof(shape));
            product *= d;
        }
        if (product != length)
            throw new ArgumentException($"the data has {length} elements, but shape ({string.Join(", ", shape.ToArray())}) needs {product}.", nameof(shape));
    }

    private static void WriteHeader(Stream stream, string descr, ReadOnlySpan<int> shape)
    {
        string dict = HeaderDictionary(descr, shape);
        // version 1.0: 6 magic + 2 version + 2 length bytes; 2.0: a 4-byte length.
        int prefix = 10;
        int total = Pad(prefix + dict.Length + 1);
        bool v2 = total - prefix > ushort.MaxValue;
        if (v2)
        {
            prefix = 12;
            total = Pad(prefix + dict.Length + 1);
        }
        var header = new byte[total];
        Magic.CopyTo(header);
        header[6] = v2 ? (byte)2 : (byte)1;
        header[7] = 0;
        int headerLength = total - prefix;
        if (v2) BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)headerLength);
        else BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)headerLength);
        int n = Encoding.ASCII.GetBytes(dict, header.AsSpan(prefix));
        header.AsSpan(prefix + n, total - prefix - n - 1).Fill((byte)' ');
        header[^1] = (byte)'\n';
        stream.Write(header);
    }

    private static int Pad(int length) => (length + Alignment - 1) / Alignment * Alignment;

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<double> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> buffer = stackalloc byte[8];
        foreach (double v in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(buffer, v);
            stream.Write(buffer);
        }
    }
}
