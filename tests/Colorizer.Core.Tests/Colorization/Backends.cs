using Colorizer.Core.Colorization;

namespace Colorizer.Core.Tests.Colorization;

/// <summary>
/// The inference backends, for the tests of the network that must hold on each:
/// <c>[Theory, MemberData(nameof(Backends.All), MemberType = typeof(Backends))]</c>, or a test's own rows crossed with
/// every backend (<see cref="Cross{T}"/>).
/// </summary>
public static class Backends
{
    public static TheoryData<InferenceBackend> All => new(Enum.GetValues<InferenceBackend>());

    /// <summary>Every backend with every value: (backend, value) rows.</summary>
    public static TheoryData<InferenceBackend, T> Cross<T>(params T[] values)
    {
        var rows = new TheoryData<InferenceBackend, T>();
        foreach (var backend in Enum.GetValues<InferenceBackend>())
        {
            foreach (var value in values)
                rows.Add(backend, value);
        }
        return rows;
    }

    /// <summary>Every backend with every pair: (backend, first, second) rows.</summary>
    public static TheoryData<InferenceBackend, T1, T2> Cross<T1, T2>(params (T1 First, T2 Second)[] values)
    {
        var rows = new TheoryData<InferenceBackend, T1, T2>();
        foreach (var backend in Enum.GetValues<InferenceBackend>())
        {
            foreach (var (first, second) in values)
                rows.Add(backend, first, second);
        }
        return rows;
    }
}
