using Colorizer.Cli;
using Colorizer.Core;
using Colorizer.Core.Imaging;
using Colorizer.Core.Native;

// First, before anything loads OpenCV: its decoder limits (the engine's defaults, as the header check uses them).
var limits = new ColorizerOptions();
OpenCvLimits.Apply(limits.MaxPixels, limits.MaxSide);
NativeHeap.ReturnLargeBuffersToTheSystem();
return await ColorizerCli.RunAsync(args, Console.Out, Console.Error);
