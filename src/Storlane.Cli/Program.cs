using Storlane.Cli.Commands;

return await StorlaneCommandLine.InvokeAsync(args);
