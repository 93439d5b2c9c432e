using System.CommandLine;

namespace Storlane.Cli.Commands;

/// <summary><c>storlane completion bash|zsh</c>: prints a shell completion script for the whole command tree.</summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "The shell: bash or zsh." };
        shell.AcceptOnlyFromAmong(CompletionScript.Shells);
        var command = new Command("completion", "Print a shell completion script: 'source <(storlane completion bash)' in ~/.bashrc, or zsh in ~/.zshrc. Exit code 0: printed; 2: an unknown shell.")
        {
            shell,
        };
        command.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.Write(CompletionScript.For(parseResult.GetRequiredValue(shell), parseResult.RootCommandResult.Command));
            return ExitCodes.Success;
        });
        return command;
    }
}
