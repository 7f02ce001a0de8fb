using Colorizer.Core.Guidance;

namespace Colorizer.Core.Tests.Guidance;

public sealed class HintsJsonTests
{
    [Fact]
    public void SerializedHints_ReadBackEqual()
    {
        ColorHint[] hints =
        [
            new(12.5, 40, 6, LabColor.FromHex("#ff0000")),
            new(300, 200, 20, new LabColor(62.25, -14.5, 47.75)) { Stroke = [new(310, 205), new(330.5, 212)] },
        ];

        var read = HintsJson.Parse(HintsJson.Serialize(hints));

        Assert.Equal(hints, read);
        Assert.Equal(2, read[1].Stroke.Count);
        Assert.Equal(330.5, read[1].Stroke[1].X);
    }

    [Fact]
    public void HexAndLabColors_AreBothAccepted()
    {
        var hints = HintsJson.Parse("""
            [ { "x": 1, "y": 2, "radius": 3, "color": "#00f" },
              { "x": 4, "y": 5, "lab": [50, 20, -30] } ]
            """);

        // sRGB blue is L* 32.3, a* 79.2, b* −107.9 (OpenCV's D65 conversion).
        Assert.InRange(hints[0].Color.L, 31.5, 33);
        Assert.InRange(hints[0].Color.A, 78, 80.5);
        Assert.InRange(hints[0].Color.B, -108.5, -107);
        Assert.Equal(new LabColor(50, 20, -30), hints[1].Color);
        Assert.Equal(ColorHint.DefaultRadius, hints[1].Radius);
    }

    [Fact]
    public void Hex_RoundTripsThroughLab()
    {
        foreach (string hex in new[] { "#c83232", "#3366ff", "#808080", "#ffffff", "#000000" })
            Assert.Equal(hex, LabColor.FromHex(hex).ToHex());
    }

    [Theory]
    [InlineData("{}", "JSON list")]
    [InlineData("not json", "not valid")]
    [InlineData("null", "null")]
    [InlineData("""[{"y": 2, "color": "#fff"}]""", "x and y are required")]
    [InlineData("""[{"x": 1, "y": 2}]""", "give a colour")]
    [InlineData("""[{"x": 1, "y": 2, "color": "red"}]""", "#rrggbb")]
    [InlineData("""[{"x": 1, "y": 2, "color": "#12345g"}]""", "#rrggbb")]
    [InlineData("""[{"x": 1, "y": 2, "lab": [50, 20]}]""", "[L, a, b]")]
    [InlineData("""[{"x": 1, "y": 2, "lab": [150, 0, 0]}]""", "L* must be between 0 and 100")]
    [InlineData("""[{"x": 1, "y": 2, "lab": [50, 200, 0]}]""", "a* must be between")]
    [InlineData("""[{"x": 1, "y": 2, "lab": [50, 0, -129]}]""", "b* must be between")]
    [InlineData("""[{"x": -1, "y": 2, "color": "#fff"}]""", "outside")]
    [InlineData("""[{"x": 1, "y": 2, "radius": 0, "color": "#fff"}]""", "radius")]
    [InlineData("""[{"x": 1, "y": 2, "radius": 5000, "color": "#fff"}]""", "radius")]
    [InlineData("""[{"x": 1, "y": 2, "color": "#fff", "stroke": [[1]]}]""", "[x, y]")]
    [InlineData("""[{"x": 1, "y": 2, "color": "#fff", "size": 4}]""", "not valid")]
    public void MalformedHintsAreRefusedWithTheReason(string json, string reason)
    {
        var error = Assert.Throws<InvalidHintsException>(() => HintsJson.Parse(json));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void TooManyHints_AreRefused()
    {
        string json = "[" + string.Join(",", Enumerable.Repeat("""{"x":1,"y":1,"color":"#fff"}""", HintsJson.MaxHints + 1)) + "]";

        var error = Assert.Throws<InvalidHintsException>(() => HintsJson.Parse(json));

        Assert.Contains($"at most {HintsJson.MaxHints}", error.Message);
    }

    [Theory]
    [InlineData(100, 10)]
    [InlineData(10, 50)]
    [InlineData(99.5, 49.5)]
    public void PointsOutsideTheImage_AreRefused(double x, double y)
    {
        var hint = new ColorHint(5, 5, 3, LabColor.FromHex("#fff")) { Stroke = [new(x, y)] };
        bool inside = x < 100 && y < 50;

        var guidance = new ColorGuidance { Hints = [hint] };
        if (inside)
        {
            guidance.Validate(100, 50);
            return;
        }
        var error = Assert.Throws<InvalidHintsException>(() => guidance.Validate(100, 50));
        Assert.Contains("outside the 100×50 image", error.Message);
    }
}
