using System.Buffers;
using System.Runtime.InteropServices;

namespace Storlane.Bench.Engine;

/// <summary>
/// Native memory aligned for O_DIRECT (which wants buffers on a block boundary; managed arrays
/// guarantee no such thing), exposed as <see cref="Memory{T}"/>. One per I/O slot, freed at the end.
/// </summary>
internal sealed unsafe class AlignedBuffer : MemoryManager<byte>
{
    private readonly int _length;
    private void* _pointer;

    public AlignedBuffer(int length, int alignment)
    {
        _length = length;
        _pointer = NativeMemory.AlignedAlloc((nuint)length, (nuint)alignment);
        new Span<byte>(_pointer, length).Clear();
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
