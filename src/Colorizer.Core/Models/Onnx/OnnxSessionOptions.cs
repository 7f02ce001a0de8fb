using Microsoft.ML.OnnxRuntime;

namespace Colorizer.Core.Models.Onnx;

/// <summary>The session settings every network on ONNX Runtime uses in this process.</summary>
internal static class OnnxSessionOptions
{
    /// <summary>
    /// Graph optimisations on, sequential execution with one inter-op thread, <paramref name="threads"/> intra-op
    /// threads (0: ORT's default) and spinning off: between passes ORT's idle workers would otherwise spin on the cores
    /// that decode, resize and encode other images. ORT's CPU memory arena is off: the engine runs two passes at once
    /// (a small photo's beside a large one's), and an arena keeps whatever the largest overlap ever needed for the
    /// life of the process, while without it each pass's buffers go back to the system when it ends (glibc's mmap
    /// threshold is 1 MB in the app). The benchmark measured the same speed with the arena off. The caller owns them.
    /// </summary>
    public static SessionOptions Create(int threads)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
            IntraOpNumThreads = threads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            EnableCpuMemArena = false,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }
}
