using System.Diagnostics.CodeAnalysis;

namespace Storlane.Ceph;

/// <summary>
/// A librados or librbd call failed. <see cref="ErrorCode"/> is the positive errno the library
/// returned (ENOENT for a missing pool or image, ETIMEDOUT for an unreachable cluster, ...), and
/// the message names the call and what it was about.
/// </summary>
public sealed class CephException : Exception
{
    public const int NoEntry = 2;
    public const int IoError = 5;
    public const int PermissionDenied = 13;
    public const int Exists = 17;
    public const int InvalidArgument = 22;
    public const int TimedOut = 110;

    /// <summary>EILSEQ: librbd's answer to a COMPARE AND WRITE whose compare data did not match.</summary>
    public const int Miscompare = 84;

    public CephException(string message)
        : base(message)
    {
    }

    public CephException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CephException(string operation, int errorCode, string? subject)
        : base(Describe(operation, errorCode, subject))
    {
        Operation = operation;
        ErrorCode = errorCode;
    }

    /// <summary>The C function that failed (rados_connect, rbd_open, ...).</summary>
    public string Operation { get; } = string.Empty;

    /// <summary>The errno, positive.</summary>
    public int ErrorCode { get; }

    /// <summary>Throws when <paramref name="result"/> is a negative errno; returns it otherwise.</summary>
    public static long ThrowIfError(long result, string operation, string? subject = null)
    {
        if (result < 0)
        {
            Throw(operation, (int)-result, subject);
        }

        return result;
    }

    [DoesNotReturn]
    public static void Throw(string operation, int errorCode, string? subject) => throw new CephException(operation, errorCode, subject);

    private static string Describe(string operation, int errorCode, string? subject)
    {
        var text = errorCode switch
        {
            NoEntry => "no such pool, image or file",
            IoError => "I/O error",
            PermissionDenied => "permission denied (check the cephx client and keyring)",

            // librados keeps offering a refused cephx key until client_mount_timeout, then says
            // ETIMEDOUT, exactly as for monitors that never answer: name both causes.
            TimedOut when operation == "rados_connect" => "timed out: the monitors did not answer, or refused the client's cephx key (check mon host, and that the keyring holds this client's current key)",
            Exists => "already exists",
            InvalidArgument => "invalid argument",
            TimedOut => "timed out (is the cluster reachable? check mon host)",
            Miscompare => "compare data did not match",
            _ => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errorCode),
        };
        return subject is null
            ? $"{operation} failed: {text} (errno {errorCode})"
            : $"{operation} {subject} failed: {text} (errno {errorCode})";
    }
}
