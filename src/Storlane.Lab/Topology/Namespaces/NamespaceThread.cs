using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Storlane.Lab.Topology.Namespaces;

/// <summary>
/// Runs code inside a named network namespace: a fresh thread joins it with setns(2) (which
/// changes only the calling thread) and runs the code there, so sockets it creates belong to the
/// namespace for their whole life. The thread ends afterwards, so no pooled thread is left in a
/// foreign namespace.
/// </summary>
internal static partial class NamespaceThread
{
    /// <summary>CLONE_NEWNET from sched.h: join only the network namespace.</summary>
    private const int CloneNewNet = 0x40000000;

    public static T Run<T>(string namespaceName, Func<T> start)
    {
        var path = "/var/run/netns/" + namespaceName;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Join(handle, namespaceName);
                result = start();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + namespaceName,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    private static void Join(SafeFileHandle handle, string namespaceName)
    {
        if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
        {
            throw new LabTopologyException($"cannot enter network namespace {namespaceName}: setns failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nsType);
}
