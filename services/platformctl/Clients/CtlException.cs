using Platform.Ctl.Output;

namespace Platform.Ctl.Clients;

/// <summary>A failure platformctl explains in one line and ends with a chosen exit code.</summary>
public sealed class CtlException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CtlException Usage(string message) => new(ExitCodes.Usage, message);
}
