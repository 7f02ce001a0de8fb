using Colorizer.Core.Colorization;
using Colorizer.Core.Models;

namespace Colorizer.Core.Tests.Colorization;

/// <summary>A kept prediction written and read back is the same prediction; anything else is refused, never misread.</summary>
public sealed class ChromaPredictionFileTests
{
    private static ChromaPrediction Logits(int rows, int columns, int seed = 1)
    {
        var random = new Random(seed);
        var values = new float[NetworkDescription.BinCount * rows * columns];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(random.NextDouble() * 20 - 10);
        return new ChromaPrediction(values, rows, columns, rows * 4);
    }

    private static byte[] Bytes(ChromaPrediction prediction)
    {
        using var stream = new MemoryStream();
        ChromaPredictionFile.Write(prediction, stream);
        return stream.ToArray();
    }

    [Fact]
    public void Logits_RoundTrip_ValueForValue()
    {
        var prediction = Logits(14, 10);

        var back = ChromaPredictionFile.Read(new MemoryStream(Bytes(prediction)));

        Assert.True(back.HasDistribution);
        Assert.Equal((14, 10, 56), (back.Rows, back.Columns, back.RenderSize));
        Assert.Equal(prediction.Values, back.Values);
        Assert.Equal(16 + 4L * NetworkDescription.BinCount * 140, Bytes(prediction).Length);
    }

    [Fact]
    public void AbGrid_RoundTrip_ValueForValue()
    {
        float[] ab = [.. Enumerable.Range(0, 2 * 8 * 8).Select(i => (float)(i - 64) / 3)];
        var prediction = ChromaPrediction.FromAb(ab, 8, 256);

        var back = ChromaPredictionFile.Read(new MemoryStream(Bytes(prediction)));

        Assert.False(back.HasDistribution);
        Assert.Equal((8, 8, 256), (back.Rows, back.Columns, back.RenderSize));
        Assert.Equal(ab, back.Values);
    }

    [Fact]
    public void Truncated_IsRefused()
    {
        byte[] bytes = Bytes(Logits(4, 4));

        var ex = Assert.Throws<InvalidDataException>(() => ChromaPredictionFile.Read(new MemoryStream(bytes[..^7])));
        Assert.Contains("bytes of values", ex.Message);
    }

    [Fact]
    public void ForeignFile_IsRefused()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

        var ex = Assert.Throws<InvalidDataException>(() => ChromaPredictionFile.Read(new MemoryStream(png)));
        Assert.Contains("magic", ex.Message);
    }

    [Theory]
    [InlineData(6, 7)] // a grid of another size than the values
    [InlineData(4, 9)] // a kind that is neither logits nor (a, b)
    public void HeaderThatDoesNotAddUp_IsRefused(int offset, byte value)
    {
        byte[] bytes = Bytes(Logits(4, 4));
        if (offset == 4)
            bytes[4] = value;
        else
            bytes[offset] += value;

        Assert.Throws<InvalidDataException>(() => ChromaPredictionFile.Read(new MemoryStream(bytes)));
    }
}
