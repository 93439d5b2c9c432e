using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Storlane.Cli.Commands;

/// <summary>
/// `storlane --version`: "storlane VERSION" with Storlane's informational version (the release and
/// the commit it was built from, <c>0.1.0+9f01dac...</c>). System.CommandLine's own action prints the
/// entry assembly's, which is a test host's when the command line runs in-process.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public static string Text { get; } = "storlane " + (typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionAction).Assembly.GetName().Version?.ToString() ?? "unknown");

    /// <summary>Gives the root command's --version this action.</summary>
    public static RootCommand Use(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new VersionAction();
            }
        }

        return root;
    }

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(Text);
        return ExitCodes.Success;
    }
}
