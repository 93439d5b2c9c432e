namespace Storlane.Initiator.Tests.Interop;

/// <summary>A test that needs a peer target program: skipped, with the reason, when it is missing or we are not root.</summary>
public sealed class PeerFactAttribute : FactAttribute
{
    public PeerFactAttribute(string program, string package)
    {
        if (PeerProcess.FindProgram(program) is null)
        {
            Skip = $"{program} is not installed (apt-get install {package})";
        }
        else if (Environment.UserName != "root")
        {
            Skip = $"{program} needs root";
        }
    }
}
