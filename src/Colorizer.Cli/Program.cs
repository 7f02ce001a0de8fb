using Colorizer.Cli;

NativeHeap.ReturnLargeBuffersToTheSystem();
return await ColorizerCli.RunAsync(args, Console.Out, Console.Error);
