using System.Runtime.CompilerServices;
using Colorizer.Testing;

namespace Colorizer.Core.Tests;

internal static class TestProcessSetup
{
    // Runs before any test of this assembly: OpenCV must load after its limits are in the native environment, as in
    // the app's Main. A module initializer is the one hook that comes before every test class.
#pragma warning disable CA2255 // Meant for libraries that others load; this assembly is only ever a test host's.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Prepare() => NativeTestProcess.Prepare();
}
