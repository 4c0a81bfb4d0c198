using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using QnnSim.Interop.Npy;

namespace QnnSim.Tests.Interop;

/// <summary>
/// NpyFile against the .npy format specification (NEP 1 and numpy.lib.format), read byte by byte here, and against
/// numpy.load itself when a python3 with NumPy is on the machine.
/// </summary>
public sealed class NpyFileTests
{
    /// <summary>What a test reads back from the bytes, by the specification alone.</summary>
    private sealed record Parsed(int Major, int Minor, string Header, int DataOffset, byte[] Bytes);

    private static Parsed ParseBySpec(byte[] bytes)
    {
        Assert.That(bytes.AsSpan(0, 6).ToArray(), Is.EqualTo(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }), "magic");
        int major = bytes[6], minor = bytes[7];
        int headerLength, prefix;
        if (major == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); prefix = 10; }
        else { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); prefix = 12; }
        int dataOffset = prefix + headerLength;
        Assert.That(dataOffset % 64, Is.Zero, "the data starts at a multiple of 64 bytes");
        string header = Encoding.ASCII.GetString(bytes, prefix, headerLength);
        Assert.That(header[^1], Is.EqualTo('\n'), "the header ends with a newline");
        Assert.That(bytes.AsSpan(prefix, headerLength).ToArray().All(b => b < 128), Is.True, "the header is ASCII");
        return new Parsed(major, minor, header.TrimEnd('\n').TrimEnd(' '), dataOffset, bytes);
    }

    private static byte[] Bytes(Action<Stream> write)
    {
        using var ms = new MemoryStream();
        write(ms);
        return ms.ToArray();
    }

    [Test]
    public void Write_Float64Matrix_MatchesSpecification()
    {
        double[] data = [1.0, -2.5, Math.PI, 1e-300, double.MaxValue, -0.0];
        var p = ParseBySpec(Bytes(s => NpyFile.Write(s, data, 2, 3)));
        Assert.That((p.Major, p.Minor), Is.EqualTo((1, 0)));
        Assert.That(p.Header, Is.EqualTo("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"));
        Assert.That(p.Bytes.Length, Is.EqualTo(p.DataOffset + 8 * data.Length));
        for (int i = 0; i < data.Length; i++)
            Assert.That(BitConverter.DoubleToInt64Bits(BinaryPrimitives.ReadDoubleLittleEndian(p.Bytes.AsSpan(p.DataOffset + 8 * i))),
                Is.EqualTo(BitConverter.DoubleToInt64Bits(data[i])), $"element {i}");
    }

    [Test]
    public void Write_Complex128Vector_RealBeforeImaginary()
    {
        Complex[] data = [new(0.5, -0.25), new(0, 1), new(-3, 0)];
        var p = ParseBySpec(Bytes(s => NpyFile.Write(s, data, 3)));
        Assert.That(p.Header, Is.EqualTo("{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }"));
        Assert.That(p.Bytes.Length, Is.EqualTo(p.DataOffset + 16 * data.Length));
        for (int i = 0; i < data.Length; i++)
        {
            Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(p.Bytes.AsSpan(p.DataOffset + 16 * i)), Is.EqualTo(data[i].Real));
            Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(p.Bytes.AsSpan(p.DataOffset + 16 * i + 8)), Is.EqualTo(data[i].Imaginary));
        }
    }

    [Test]
    public void Write_ScalarAndEmpty_ShapesAsPythonTuples()
    {
        Assert.That(ParseBySpec(Bytes(s => NpyFile.Write(s, [42.0]))).Header, Does.EndWith("'shape': (), }"));
        var empty = ParseBySpec(Bytes(s => NpyFile.Write(s, ReadOnlySpan<double>.Empty, 0, 4)));
        Assert.That(empty.Header, Does.EndWith("'shape': (0, 4), }"));
        Assert.That(empty.Bytes.Length, Is.EqualTo(empty.DataOffset));
    }

    [Test]
    public void Write_HeaderAbove64KiB_UsesVersion2()
    {
        int[] shape = [.. Enumerable.Repeat(1, 30000)];
        var p = ParseBySpec(Bytes(s => NpyFile.Write(s, [7.0], shape)));
        Assert.That((p.Major, p.Minor), Is.EqualTo((2, 0)));
        Assert.That(BinaryPrimitives.ReadDoubleLittleEndian(p.Bytes.AsSpan(p.DataOffset)), Is.EqualTo(7.0));
    }

    [Test]
    public void Write_LengthNotProductOfShape_ThrowsNamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => NpyFile.Write(new MemoryStream(), [1.0, 2.0, 3.0], 2, 2))!;
        Assert.That(e.Message, Does.Contain("3 elements").And.Contain("(2, 2)").And.Contain("4"));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(new MemoryStream(), ReadOnlySpan<double>.Empty, -1));
    }

    [Test]
    public void Write_MatrixOverload_IsRowMajor()
    {
        string path = Path.Combine(Path.GetTempPath(), $"qnnsim-npy-{Guid.NewGuid():N}.npy");
        try
        {
            NpyFile.Write(path, new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
            var p = ParseBySpec(File.ReadAllBytes(path));
            Assert.That(p.Header, Does.EndWith("'shape': (2, 3), }"));
            var values = Enumerable.Range(0, 6).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(p.Bytes.AsSpan(p.DataOffset + 8 * i)));
            Assert.That(values, Is.EqualTo(new double[] { 1, 2, 3, 4, 5, 6 }));
        }
        finally { File.Delete(path); }
    }

    /// <summary>numpy.load reads what NpyFile writes (skipped when no python3 with NumPy is installed).</summary>
    [Test]
    public void NumpyLoad_ReadsFloatAndComplexFiles()
    {
        string? python = NumpyPython.Find();
        if (python is null) Assert.Ignore("no python3 with NumPy on this machine (apt-get install python3-numpy); the byte-level tests above still ran");
        string folder = Path.Combine(Path.GetTempPath(), $"qnnsim-npy-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            NpyFile.Write(Path.Combine(folder, "a.npy"), [1.0, -2.5, Math.PI, 1e-300, 6.0, -0.0], 2, 3);
            NpyFile.Write(Path.Combine(folder, "c.npy"), [new Complex(0.5, -0.25), new Complex(0, 1)], 2);
            string script = "import numpy as np, sys\n" +
                "a = np.load(sys.argv[1] + '/a.npy'); c = np.load(sys.argv[1] + '/c.npy')\n" +
                "print(a.dtype, a.shape, repr(float(a[0,2])), repr(float(a[1,0])), c.dtype, c.shape, repr(complex(c[0])), repr(complex(c[1])))\n";
            string output = NumpyPython.Run(python, script, folder);
            Assert.That(output.Trim(), Is.EqualTo($"float64 (2, 3) {Math.PI.ToString("R", CultureInfo.InvariantCulture)} 1e-300 complex128 (2,) (0.5-0.25j) 1j"));
        }
        finally { Directory.Delete(folder, true); }
    }
}

/// <summary>Finds and runs a python3 that has NumPy (PATH's python3 first, then Debian's /usr/bin/python3).</summary>
internal static class NumpyPython
{
    /// <summary>
    /// A python3 with NumPy: found, or installed from Debian (python3-numpy, with apt-get, when running as root on a
    /// machine that has it); fails the test otherwise, so the check against NumPy never silently disappears.
    /// </summary>
    public static string Ensure()
    {
        if (Find() is string found) return found;
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/apt-get") || Environment.UserName != "root")
            Assert.Fail("a python3 with NumPy is needed: apt-get install python3-numpy (or pip install numpy)");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var install = QnnSim.Tests.Docs.RepositoryTools.Run("apt-get", ["install", "-y", "-o", "DPkg::Lock::Timeout=600", "python3-numpy"], "/", TimeSpan.FromMinutes(15), env);
        if (install.ExitCode != 0)
        {
            QnnSim.Tests.Docs.RepositoryTools.Run("apt-get", ["-o", "DPkg::Lock::Timeout=600", "update"], "/", TimeSpan.FromMinutes(10), env);
            install = QnnSim.Tests.Docs.RepositoryTools.Run("apt-get", ["install", "-y", "-o", "DPkg::Lock::Timeout=600", "python3-numpy"], "/", TimeSpan.FromMinutes(15), env);
        }
        return Find() ?? throw new AssertionException("apt-get install python3-numpy did not give a python3 with NumPy:\n" + install);
    }

    public static string? Find()
    {
        foreach (string candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                Run(candidate, "import numpy", Path.GetTempPath());
                return candidate;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { }
        }
        return null;
    }

    /// <summary>Runs a script (arguments: the folder) and returns its standard output; throws when it fails.</summary>
    public static string Run(string python, string script, string folder)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(folder);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{python} exited {process.ExitCode}: {stderr}");
        return stdout.Result;
    }
}

/// <summary>A minimal .npy reader for tests (version 1.0/2.0, little-endian float64 or complex128, C order).</summary>
internal static class NpyTestReader
{
    /// <summary>The dtype, the shape and the raw float64 values (a complex element is two values).</summary>
    public static (string Descr, int[] Shape, double[] Values) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int prefix = bytes[6] == 1 ? 10 : 12;
        int length = bytes[6] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        string header = Encoding.ASCII.GetString(bytes, prefix, length);
        string descr = header.Split("'descr': '")[1].Split('\'')[0];
        string shapeText = header.Split("'shape': (")[1].Split(')')[0];
        int[] shape = [.. shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        int offset = prefix + length;
        var values = new double[(bytes.Length - offset) / 8];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(offset + 8 * i));
        return (descr, shape, values);
    }
}
