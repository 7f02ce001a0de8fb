namespace Colorizer.Web.Tests.Load;

/// <summary>
/// A test that runs only when the environment variable it names is <c>1</c>: a measurement that needs the process to
/// itself (what earlier test classes leave in it muddles the figures), run on purpose rather than in every suite.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OptInFactAttribute : FactAttribute
{
    /// <param name="variable">The environment variable that turns the test on.</param>
    public OptInFactAttribute(string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) != "1")
            Skip = $"Run on purpose: set {variable}=1 (and best with --filter on this class alone).";
    }
}
