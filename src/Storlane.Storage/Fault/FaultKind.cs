namespace Storlane.Storage.Fault;

/// <summary>What an injected fault does to a matching operation.</summary>
public enum FaultKind
{
    /// <summary>The operation waits until the hang is released (then runs normally) or its token is cancelled.</summary>
    Hang,

    /// <summary>The operation waits <see cref="FaultRule.Delay"/>, then runs normally.</summary>
    Delay,

    /// <summary>The operation fails with <see cref="InjectedIOException"/> (an <see cref="IOException"/>: the SCSI layer answers MEDIUM ERROR) without reaching the device.</summary>
    Fail,
}
