using Colorizer.Testing;

namespace Colorizer.Cli.Tests;

public sealed class ShardTests : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Shards_PartitionPaths_EachExactlyOnce_AndTheSameEveryTime()
    {
        var paths = Enumerable.Range(0, 1000).Select(i => $"/archive/{i % 7}/photo-{i:D4}.jpg").ToList();
        var owners = paths.Select(p => Enumerable.Range(0, 5).Where(i => new Shard(i, 5).Contains(p)).ToList()).ToList();
        Assert.All(owners, o => Assert.Single(o));
        // Every shard gets a fair part (a hash, not a pattern in the names).
        var sizes = Enumerable.Range(0, 5).Select(i => owners.Count(o => o[0] == i)).ToList();
        Assert.All(sizes, size => Assert.InRange(size, 150, 250));
        Assert.Equal(owners.Select(o => o[0]), paths.Select(p => Enumerable.Range(0, 5).First(i => new Shard(i, 5).Contains(p))));
    }

    [Theory]
    [InlineData("3/3")]
    [InlineData("-1/3")]
    [InlineData("1/0")]
    [InlineData("1")]
    [InlineData("a/b")]
    public void BadShard_IsRefused(string text)
    {
        Assert.Null(Shard.Parse(text, out string? error));
        Assert.Contains("INDEX/COUNT", error);
    }

    [Fact]
    public async Task ShardedRuns_IntoOneFolder_ColorizeEveryFileExactlyOnce()
    {
        string models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(150)).Directory;
        string inputs = Directory.CreateDirectory(_work.File("inputs")).FullName;
        using (var image = TestImages.Grey(16, 12))
        {
            byte[] png = TestImages.Encode(image, ".png");
            for (int i = 0; i < 24; i++)
            {
                string folder = Directory.CreateDirectory(Path.Combine(inputs, $"roll{i % 3}")).FullName;
                File.WriteAllBytes(Path.Combine(folder, $"frame{i:D2}.png"), png);
            }
            // Same name in two folders: the shards must agree on which one is " (2)".
            File.WriteAllBytes(Path.Combine(inputs, "roll0", "same.png"), png);
            File.WriteAllBytes(Path.Combine(inputs, "roll1", "same.png"), png);
        }
        string output = _work.File("out");
        var written = new List<string>();
        for (int shard = 0; shard < 3; shard++)
        {
            var before = Directory.Exists(output) ? Directory.GetFiles(output).ToHashSet() : [];
            var run = await CliRun.ExecuteAsync("colorize", inputs, "-o", output, "--models", models, "--shard", $"{shard}/3");
            Assert.Equal(0, run.ExitCode);
            Assert.Contains($"Shard {shard}/3", run.Output);
            written.AddRange(Directory.GetFiles(output).Where(f => !before.Contains(f)));
        }
        Assert.Equal(26, written.Count);
        Assert.Equal(26, written.Distinct().Count());
        Assert.Contains(Path.Combine(output, "same.png"), written);
        Assert.Contains(Path.Combine(output, "same (2).png"), written);
    }
}
