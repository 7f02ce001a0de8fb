using Colorizer.Cli;

return await ColorizerCli.RunAsync(args, Console.Out, Console.Error);
