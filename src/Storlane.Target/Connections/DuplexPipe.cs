using System.IO.Pipelines;

namespace Storlane.Target.Connections;

internal sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
