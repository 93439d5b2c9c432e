namespace Storlane.TestSupport;

/// <summary>A scratch folder under the system's temp folder, removed (with what is in it) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "storlane-")
    {
        Root = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Root { get; }

    /// <summary>The path of <paramref name="name"/> inside the folder.</summary>
    public string PathOf(string name) => Path.Combine(Root, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started may still hold a file open: the OS cleans temp later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
