namespace Storlane.Storage;

/// <summary>
/// Optional device capability: a device whose size can change from outside this process (an RBD
/// image resized with `rbd resize` or by another gateway). It raises
/// <see cref="GeometryChanged"/> after <see cref="IBlockDevice.Geometry"/> took the new size, so
/// the SCSI layer reports the new capacity and raises CAPACITY DATA HAS CHANGED.
/// </summary>
public interface IExternallyResizedDevice : IBlockDevice
{
    event EventHandler? GeometryChanged;
}
