namespace Storlane.Nvme.Target;

/// <summary>
/// How a command ended: status and CQE dwords 0-1, and, for a command that returns data, a rented
/// buffer whose first <see cref="DataLength"/> bytes go to the host in C2HData before the response.
/// A held command (an AER) sends nothing now.
/// </summary>
internal readonly record struct CommandResult(NvmeStatus Status, uint Dword0 = 0, uint Dword1 = 0, byte[]? Data = null, int DataLength = 0, bool Held = false)
{
    public static CommandResult Ok => new(NvmeStatus.Success);

    public static implicit operator CommandResult(NvmeStatus status) => new(status);
}
