using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Imaging;

public class ExifOrientationApplyTests
{
    private const int W = 3;
    private const int H = 2;

    // Source pixel (row r, column c) has the value 10 * r + c + 1: every pixel distinct, the image asymmetric.
    private static Mat Source(MatType type)
    {
        var mat = new Mat(H, W, type);
        var channels = type.Channels;
        var values = new short[H * W * channels];
        for (var r = 0; r < H; r++)
        {
            for (var c = 0; c < W; c++)
            {
                for (var ch = 0; ch < channels; ch++)
                {
                    var v = 10 * r + c + 1 + 100 * ch;
                    values[((r * W) + c) * channels + ch] = (short)(type.Depth == MatType.CV_16U ? v * 100 : v);
                }
            }
        }

        ImagingTestData.SetValues(mat, values);
        return mat;
    }

    // Where each displayed pixel (r, c) comes from in the stored image, straight from the EXIF 2.3 definitions of
    // "0th row" / "0th column" (e.g. 6: the stored 0th row is the visual right side, the stored 0th column the visual top).
    private static (int Row, int Col) SourceOf(int orientation, int r, int c) => orientation switch
    {
        1 => (r, c),
        2 => (r, W - 1 - c),
        3 => (H - 1 - r, W - 1 - c),
        4 => (H - 1 - r, c),
        5 => (c, r),
        6 => (H - 1 - c, r),
        7 => (H - 1 - c, W - 1 - r),
        8 => (c, W - 1 - r),
        _ => throw new ArgumentOutOfRangeException(nameof(orientation)),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Apply_moves_every_pixel_where_the_EXIF_orientation_says(int orientation)
    {
        foreach (var type in new[] { MatType.CV_8UC1, MatType.CV_8UC3, MatType.CV_8UC4, MatType.CV_16UC1, MatType.CV_16UC3, MatType.CV_16UC4 })
        {
            using var source = Source(type);
            var sourceValues = ImagingTestData.GetValues(source);
            var channels = type.Channels;

            var result = ExifOrientation.Apply(source, orientation);
            try
            {
                var swapsAxes = orientation >= 5;
                Assert.Equal(swapsAxes ? new Size(H, W) : new Size(W, H), result.Size());
                Assert.Equal(type, result.Type());

                var actual = ImagingTestData.GetValues(result);
                var outCols = result.Cols;
                var outRows = result.Rows;
                for (var r = 0; r < outRows; r++)
                {
                    for (var c = 0; c < outCols; c++)
                    {
                        var (sr, sc) = SourceOf(orientation, r, c);
                        for (var ch = 0; ch < channels; ch++)
                        {
                            Assert.Equal(sourceValues[((sr * W) + sc) * channels + ch], actual[((r * outCols) + c) * channels + ch]);
                        }
                    }
                }

                Assert.Equal(sourceValues, ImagingTestData.GetValues(source)); // The input is left as it was.
            }
            finally
            {
                if (!ReferenceEquals(result, source))
                {
                    result.Dispose();
                }
            }
        }
    }

    [Fact]
    public void Apply_6_rotates_clockwise_so_the_top_left_pixel_is_the_source_bottom_left()
    {
        using var source = Source(MatType.CV_8UC1);
        using var result = ExifOrientation.Apply(source, 6);

        // Source:  1  2  3      Output:  11  1
        //         11 12 13               12  2
        //                                13  3
        Assert.Equal(new[] { 11, 1, 12, 2, 13, 3 }, ImagingTestData.GetValues(result));
    }

    [Fact]
    public void Apply_8_rotates_counter_clockwise_so_the_top_left_pixel_is_the_source_top_right()
    {
        using var source = Source(MatType.CV_8UC1);
        using var result = ExifOrientation.Apply(source, 8);

        Assert.Equal(new[] { 3, 13, 2, 12, 1, 11 }, ImagingTestData.GetValues(result));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(9)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Apply_returns_the_same_instance_for_1_and_out_of_range_values(int orientation)
    {
        using var source = Source(MatType.CV_8UC3);

        Assert.Same(source, ExifOrientation.Apply(source, orientation));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Apply_returns_a_new_Mat_the_caller_owns_for_orientations_2_to_8(int orientation)
    {
        using var source = Source(MatType.CV_16UC4);
        var result = ExifOrientation.Apply(source, orientation);

        Assert.NotSame(source, result);
        result.Dispose();
        Assert.False(source.IsDisposed);
        Assert.Equal(MatType.CV_16UC4, source.Type());
    }

    [Fact]
    public void Apply_throws_for_null()
    {
        Assert.Throws<ArgumentNullException>(() => ExifOrientation.Apply(null!, 6));
    }

    [Fact]
    public void Read_then_Apply_turns_a_decoded_jpeg_upright()
    {
        using var stored = ImagingTestData.Pattern(37, 11, MatType.CV_8UC3);
        var jpeg = ImagingTestData.InjectJpegExif(ImagingTestData.Encode(".jpg", stored), ImagingTestData.ExifBlock(false, 6));

        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color | ImreadModes.IgnoreOrientation);
        using var upright = ExifOrientation.Apply(decoded, ExifOrientation.Read(jpeg, ImageFormat.Jpeg));

        Assert.Equal(new Size(11, 37), upright.Size());
    }

    public static TheoryData<int> Orientations => [1, 2, 3, 4, 5, 6, 7, 8];

    [Theory]
    [MemberData(nameof(Orientations))]
    public void Read_and_Apply_on_an_unoriented_decode_match_OpenCVs_own_exif_handling_for_png_and_lossless_webp(int orientation)
    {
        using var stored = ImagingTestData.Pattern(7, 4, MatType.CV_8UC3);
        var exif = ImagingTestData.ExifBlock(orientation % 2 == 0, (ushort)orientation);
        var files = new (byte[] Bytes, ImageFormat Format)[]
        {
            (ImagingTestData.InjectPngExif(ImagingTestData.Encode(".png", stored), exif), ImageFormat.Png),
            (ImagingTestData.ToVp8XWithExif(ImagingTestData.Encode(".webp", stored, (int)ImwriteFlags.WebPQuality, 101), 7, 4, exif), ImageFormat.WebP),
        };

        foreach (var (bytes, format) in files)
        {
            using var raw = Cv2.ImDecode(bytes, ImreadModes.Color | ImreadModes.IgnoreOrientation);
            using var byOpenCv = Cv2.ImDecode(bytes, ImreadModes.Color); // OpenCV applies EXIF orientation itself here.
            var ours = ExifOrientation.Apply(raw, ExifOrientation.Read(bytes, format));
            try
            {
                Assert.Equal(ImagingTestData.GetValues(stored), ImagingTestData.GetValues(raw));
                Assert.Equal(byOpenCv.Size(), ours.Size());
                Assert.Equal(ImagingTestData.GetValues(byOpenCv), ImagingTestData.GetValues(ours));
            }
            finally
            {
                if (!ReferenceEquals(ours, raw))
                {
                    ours.Dispose();
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Orientations))]
    public void OpenCV_orients_tiffs_itself_even_with_IgnoreOrientation_so_Apply_must_not_be_used_on_them(int orientation)
    {
        // Documents an OpenCV 4.13 behaviour callers depend on: the TIFF decoder applies the Orientation tag regardless
        // of ImreadModes.IgnoreOrientation, and the result equals what Apply does to the stored pixels.
        var tiff = ImagingTestData.HandMadeTiff(5, 3, littleEndian: true, sizesAsLong: false, (ushort)orientation);
        using var stored = new Mat(3, 5, MatType.CV_8UC1);
        ImagingTestData.SetValues(stored, Enumerable.Range(0, 15).Select(i => (short)(byte)(i * 11)).ToArray());

        using var decoded = Cv2.ImDecode(tiff, ImreadModes.Grayscale | ImreadModes.IgnoreOrientation);
        var expected = ExifOrientation.Apply(stored, ExifOrientation.Read(tiff, ImageFormat.Tiff));
        try
        {
            Assert.Equal(expected.Size(), decoded.Size());
            Assert.Equal(ImagingTestData.GetValues(expected), ImagingTestData.GetValues(decoded));
        }
        finally
        {
            if (!ReferenceEquals(expected, stored))
            {
                expected.Dispose();
            }
        }
    }
}
